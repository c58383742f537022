/**
 * GUID partition tables: parse (bounds-checked, CRC32 of header and entries) and serialize
 * (primary + backup + protective MBR), for 512- and 4096-byte sectors. Pure Buffer code;
 * src/disk/gpt-io.ts reads and writes them on a device or file.
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { UserError } from '../errors.js';

export const GPT_SIGNATURE = 'EFI PART';
const HEADER_SIZE = 92;

export interface GptEntry {
  /** 1-based partition number. */
  index: number;
  typeGuid: Buffer;
  uniqueGuid: Buffer;
  firstLba: number;
  lastLba: number;
  attributes: bigint;
  name: string;
}

export interface Gpt {
  sectorSize: number;
  diskGuid: Buffer;
  firstUsableLba: number;
  lastUsableLba: number;
  numEntries: number;
  entrySize: number;
  /** Used entries only, sorted by index. */
  entries: GptEntry[];
}

function isZero(buf: Buffer): boolean {
  for (const b of buf) if (b !== 0) return false;
  return true;
}

function u64(buf: Buffer, off: number): number {
  const v = buf.readBigUInt64LE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new UserError(`GPT value at offset ${off} is out of range`);
  return Number(v);
}

/** Sectors the entry array occupies. */
export function entriesSectors(gpt: Pick<Gpt, 'numEntries' | 'entrySize' | 'sectorSize'>): number {
  return Math.ceil((gpt.numEntries * gpt.entrySize) / gpt.sectorSize);
}

export interface ParsedHeader {
  currentLba: number;
  backupLba: number;
  firstUsableLba: number;
  lastUsableLba: number;
  diskGuid: Buffer;
  entriesLba: number;
  numEntries: number;
  entrySize: number;
  entriesCrc: number;
}

/** Parses and CRC-checks a header sector; undefined when it is not a valid GPT header. */
export function parseGptHeader(sector: Buffer): ParsedHeader | undefined {
  if (sector.length < HEADER_SIZE) return undefined;
  if (sector.toString('latin1', 0, 8) !== GPT_SIGNATURE) return undefined;
  const headerSize = sector.readUInt32LE(12);
  if (headerSize < HEADER_SIZE || headerSize > sector.length) return undefined;
  const copy = Buffer.from(sector.subarray(0, headerSize));
  const storedCrc = copy.readUInt32LE(16);
  copy.writeUInt32LE(0, 16);
  if (crc32(copy) !== storedCrc) return undefined;
  const numEntries = sector.readUInt32LE(80);
  const entrySize = sector.readUInt32LE(84);
  if (entrySize < 128 || entrySize % 8 !== 0 || entrySize > 4096 || numEntries > 4096 || numEntries === 0)
    return undefined;
  return {
    currentLba: u64(sector, 24),
    backupLba: u64(sector, 32),
    firstUsableLba: u64(sector, 40),
    lastUsableLba: u64(sector, 48),
    diskGuid: Buffer.from(sector.subarray(56, 72)),
    entriesLba: u64(sector, 72),
    numEntries,
    entrySize,
    entriesCrc: sector.readUInt32LE(88),
  };
}

/** Parses the entry array; undefined when its CRC does not match the header's. */
export function parseGptEntries(header: ParsedHeader, bytes: Buffer): GptEntry[] | undefined {
  const len = header.numEntries * header.entrySize;
  if (bytes.length < len) return undefined;
  const array = bytes.subarray(0, len);
  if (crc32(array) !== header.entriesCrc) return undefined;
  const entries: GptEntry[] = [];
  for (let i = 0; i < header.numEntries; i++) {
    const e = array.subarray(i * header.entrySize, (i + 1) * header.entrySize);
    const typeGuid = Buffer.from(e.subarray(0, 16));
    if (isZero(typeGuid)) continue;
    const nameRaw = e.subarray(56, 128);
    let end = 0;
    while (end + 1 < nameRaw.length && (nameRaw[end] !== 0 || nameRaw[end + 1] !== 0)) end += 2;
    entries.push({
      index: i + 1,
      typeGuid,
      uniqueGuid: Buffer.from(e.subarray(16, 32)),
      firstLba: u64(e, 32),
      lastLba: u64(e, 40),
      attributes: e.readBigUInt64LE(48),
      name: nameRaw.subarray(0, end).toString('utf16le'),
    });
  }
  return entries;
}

/**
 * Parses a GPT from a buffer starting at LBA 0 (e.g. an image's first MiB): primary header at
 * LBA 1 with its entries inside the buffer. Undefined when there is no valid primary GPT.
 */
export function parseGptFromBuffer(buf: Buffer, sectorSize: number): Gpt | undefined {
  if (buf.length < 2 * sectorSize) return undefined;
  const header = parseGptHeader(buf.subarray(sectorSize, 2 * sectorSize));
  if (!header || header.currentLba !== 1) return undefined;
  const start = header.entriesLba * sectorSize;
  const len = header.numEntries * header.entrySize;
  if (start < 2 * sectorSize || start + len > buf.length) return undefined;
  const entries = parseGptEntries(header, buf.subarray(start, start + len));
  if (!entries) return undefined;
  return fromHeader(header, sectorSize, entries);
}

export function fromHeader(header: ParsedHeader, sectorSize: number, entries: GptEntry[]): Gpt {
  return {
    sectorSize,
    diskGuid: header.diskGuid,
    firstUsableLba: header.firstUsableLba,
    lastUsableLba: header.lastUsableLba,
    numEntries: header.numEntries,
    entrySize: header.entrySize,
    entries,
  };
}

/** `EFI PART` at 512 → 512-byte image, at 4096 → 4096; undefined if neither. */
export function detectSectorSize(firstMiB: Buffer): 512 | 4096 | undefined {
  if (firstMiB.length >= 520 && firstMiB.toString('latin1', 512, 520) === GPT_SIGNATURE) return 512;
  if (firstMiB.length >= 4104 && firstMiB.toString('latin1', 4096, 4104) === GPT_SIGNATURE) return 4096;
  return undefined;
}

/** A fresh empty table like upstream's "overwrite" GPT: 128 × 128-byte entries, random GUID. */
export function newGpt(sectorSize: number, diskSectors: number): Gpt {
  const gpt: Gpt = {
    sectorSize,
    diskGuid: randomGuid(),
    firstUsableLba: 0,
    lastUsableLba: 0,
    numEntries: 128,
    entrySize: 128,
    entries: [],
  };
  gpt.firstUsableLba = 2 + entriesSectors(gpt);
  return resizeGpt(gpt, diskSectors);
}

/** Moves the backup to the disk's last LBA and recomputes the last usable LBA. */
export function resizeGpt(gpt: Gpt, diskSectors: number): Gpt {
  const lastUsableLba = diskSectors - 2 - entriesSectors(gpt);
  if (lastUsableLba < gpt.firstUsableLba) throw new UserError(`disk of ${diskSectors} sectors is too small for a GPT`);
  return { ...gpt, lastUsableLba };
}

export function randomGuid(): Buffer {
  const g = randomBytes(16);
  g[7] = (g[7]! & 0x0f) | 0x40; // version 4 (mixed-endian field 3)
  g[8] = (g[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return g;
}

/** Checks what gptman checks before writing: bounds, overlap, duplicate numbers and GUIDs. */
export function validateGpt(gpt: Gpt): void {
  const seenIdx = new Set<number>();
  const seenGuid = new Set<string>();
  const sorted = [...gpt.entries].sort((a, b) => a.firstLba - b.firstLba);
  for (const e of gpt.entries) {
    if (e.index < 1 || e.index > gpt.numEntries) throw new UserError(`partition number ${e.index} out of range`);
    if (seenIdx.has(e.index)) throw new UserError(`duplicate partition number ${e.index}`);
    seenIdx.add(e.index);
    const guid = e.uniqueGuid.toString('hex');
    if (seenGuid.has(guid)) throw new UserError(`duplicate unique partition GUID in partition ${e.index}`);
    seenGuid.add(guid);
    if (e.firstLba < gpt.firstUsableLba || e.lastLba > gpt.lastUsableLba || e.lastLba < e.firstLba) {
      throw new UserError(`invalid partition boundaries for partition ${e.index}`);
    }
  }
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.firstLba <= sorted[i - 1]!.lastLba) {
      throw new UserError(
        `invalid partition boundaries: partition ${sorted[i]!.index} overlaps partition ${sorted[i - 1]!.index}`,
      );
    }
  }
}

function entryArray(gpt: Gpt): Buffer {
  const array = Buffer.alloc(gpt.numEntries * gpt.entrySize);
  for (const e of gpt.entries) {
    const off = (e.index - 1) * gpt.entrySize;
    e.typeGuid.copy(array, off);
    e.uniqueGuid.copy(array, off + 16);
    array.writeBigUInt64LE(BigInt(e.firstLba), off + 32);
    array.writeBigUInt64LE(BigInt(e.lastLba), off + 40);
    array.writeBigUInt64LE(e.attributes, off + 48);
    const name = Buffer.from(e.name, 'utf16le').subarray(0, 72);
    name.copy(array, off + 56);
  }
  return array;
}

function header(gpt: Gpt, current: number, backup: number, entriesLba: number, entriesCrc: number): Buffer {
  const h = Buffer.alloc(gpt.sectorSize);
  h.write(GPT_SIGNATURE, 0, 'latin1');
  h.writeUInt32LE(0x00010000, 8);
  h.writeUInt32LE(HEADER_SIZE, 12);
  h.writeBigUInt64LE(BigInt(current), 24);
  h.writeBigUInt64LE(BigInt(backup), 32);
  h.writeBigUInt64LE(BigInt(gpt.firstUsableLba), 40);
  h.writeBigUInt64LE(BigInt(gpt.lastUsableLba), 48);
  gpt.diskGuid.copy(h, 56);
  h.writeBigUInt64LE(BigInt(entriesLba), 72);
  h.writeUInt32LE(gpt.numEntries, 80);
  h.writeUInt32LE(gpt.entrySize, 84);
  h.writeUInt32LE(entriesCrc, 88);
  h.writeUInt32LE(crc32(h.subarray(0, HEADER_SIZE)), 16);
  return h;
}

/** Upstream's protective MBR partition record + signature, written at byte 446. */
export function protectiveMbrTail(diskSectors: number): Buffer {
  const t = Buffer.alloc(66);
  t.set([0x00, 0x00, 0x02, 0x00, 0xee, 0xff, 0xff, 0xff], 0);
  t.writeUInt32LE(1, 8);
  t.writeUInt32LE(Math.min(diskSectors - 1, 0xffffffff), 12);
  t[64] = 0x55;
  t[65] = 0xaa;
  return t;
}

export interface SerializedGpt {
  /** LBA 1 up to (not including) firstUsableLba: primary header + entries, at byte sectorSize. */
  primary: Buffer;
  /** Backup entries + header, to be written at byte `backupOffset`. */
  backup: Buffer;
  backupOffset: number;
}

/** Serializes a table for a disk of `diskSectors` sectors (backup at the last LBA). */
export function serializeGpt(gpt: Gpt, diskSectors: number): SerializedGpt {
  const ss = gpt.sectorSize;
  const array = entryArray(gpt);
  const nSec = entriesSectors(gpt);
  const arrayPadded = Buffer.alloc(nSec * ss);
  array.copy(arrayPadded);
  const arrayCrc = crc32(array);
  const last = diskSectors - 1;
  const backupEntriesLba = last - nSec;
  const primaryRegion = Buffer.alloc((gpt.firstUsableLba - 1) * ss);
  header(gpt, 1, last, 2, arrayCrc).copy(primaryRegion, 0);
  arrayPadded.copy(primaryRegion, ss);
  const backup = Buffer.concat([arrayPadded, header(gpt, last, 1, backupEntriesLba, arrayCrc)]);
  return { primary: primaryRegion, backup, backupOffset: backupEntriesLba * ss };
}

/**
 * Upstream's "overwrite" table bytes for LBA 0 up to firstUsableLba: zeroed boot code (and
 * bytes 512..4096 for 4K sectors), protective MBR, primary header and entries.
 */
export function overwriteTableHead(
  gpt: Gpt,
  diskSectors: number,
): { head: Buffer; backup: Buffer; backupOffset: number } {
  const s = serializeGpt(gpt, diskSectors);
  const head = Buffer.alloc(gpt.firstUsableLba * gpt.sectorSize);
  protectiveMbrTail(diskSectors).copy(head, 446);
  s.primary.copy(head, gpt.sectorSize);
  return { head, backup: s.backup, backupOffset: s.backupOffset };
}
