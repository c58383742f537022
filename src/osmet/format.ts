/**
 * The osmet file format, compatible with upstream coreos-installer: a bincode header
 * (magic `OSMET\0\0\0`, version 1, writer version, sector size, description, architecture),
 * then the body (partitions with their extent → OSTree object mappings, the sha256 and size of
 * the whole disk image), then one xz stream (the packed image) running to the end of the file.
 * Decoding checks the magic, the version and the structure (validateOsmet) and refuses any
 * offset or length that does not fit.
 */
import { UserError } from '../errors.js';
import { BincodeReader, BincodeWriter } from '../formats/bincode.js';

export const OSMET_MAGIC = Buffer.from('OSMET\0\0\0', 'latin1');
export const OSMET_VERSION = 1;
export const DIGEST_LENGTH = 32;
/** Smallest encodings: a mapping is three one-byte varints and a digest; a partition three. */
const MIN_MAPPING_BYTES = 3 + DIGEST_LENGTH;
const MIN_PARTITION_BYTES = 3;

/** A well-formed encoding that is not an acceptable osmet file (magic, version, structure). */
export class OsmetFormatError extends UserError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OsmetFormatError';
  }
}

export interface OsmetHeader {
  version: number;
  appVersion: string;
  sectorSize: number;
  description: string;
  architecture: string;
}

export interface Extent {
  /** Offset inside the object file. */
  logical: number;
  /** Offset from the start of the partition. */
  physical: number;
  length: number;
}

export interface Mapping {
  extent: Extent;
  /** The 32 bytes of the OSTree content object's name. */
  object: Buffer;
}

export interface OsmetPartition {
  /** Absolute byte offsets on the disk; the end is exclusive. */
  startOffset: number;
  endOffset: number;
  mappings: Mapping[];
}

export interface OsmetBody {
  partitions: OsmetPartition[];
  /** SHA-256 of the whole rebuilt image. */
  checksum: Buffer;
  size: number;
}

export function encodeOsmetHeader(h: OsmetHeader): Buffer {
  return new BincodeWriter()
    .fixed(OSMET_MAGIC, OSMET_MAGIC.length)
    .u32(h.version)
    .string(h.appVersion)
    .u32(h.sectorSize)
    .string(h.description)
    .string(h.architecture)
    .toBuffer();
}

/** Decodes the header and checks its magic, then its version (in that order, as upstream). */
export function decodeOsmetHeader(r: BincodeReader): OsmetHeader {
  // The magic is checked first: a stray large file is refused without reading it all.
  if (!r.fixed(OSMET_MAGIC.length).equals(OSMET_MAGIC)) throw new OsmetFormatError('not an OSMET file!');
  const version = r.u32();
  const appVersion = r.string();
  const sectorSize = r.u32();
  const description = r.string();
  const architecture = r.string();
  if (version !== OSMET_VERSION) throw new OsmetFormatError(`incompatible OSMET file version ${version}`);
  return { version, appVersion, sectorSize, description, architecture };
}

export function encodeOsmetBody(b: OsmetBody): Buffer {
  const w = new BincodeWriter().u64(b.partitions.length);
  for (const p of b.partitions) {
    w.u64(p.startOffset).u64(p.endOffset).u64(p.mappings.length);
    for (const m of p.mappings) {
      w.u64(m.extent.logical).u64(m.extent.physical).u64(m.extent.length).fixed(m.object, DIGEST_LENGTH);
    }
  }
  return w.fixed(b.checksum, DIGEST_LENGTH).u64(b.size).toBuffer();
}

export function decodeOsmetBody(r: BincodeReader): OsmetBody {
  const partitions: OsmetPartition[] = [];
  const nParts = r.count(MIN_PARTITION_BYTES);
  for (let i = 0; i < nParts; i++) {
    const startOffset = r.u64();
    const endOffset = r.u64();
    const mappings: Mapping[] = [];
    const nMaps = r.count(MIN_MAPPING_BYTES);
    for (let j = 0; j < nMaps; j++) {
      const extent = { logical: r.u64(), physical: r.u64(), length: r.u64() };
      mappings.push({ extent, object: Buffer.from(r.fixed(DIGEST_LENGTH)) });
    }
    partitions.push({ startOffset, endOffset, mappings });
  }
  const checksum = Buffer.from(r.fixed(DIGEST_LENGTH));
  const size = r.u64();
  return { partitions, checksum, size };
}

/** End of the last mapping, relative to the partition; mappings must be sorted and disjoint. */
function verifyCanonical(mappings: Mapping[], partition: number): number {
  let cursor = 0;
  for (const [j, m] of mappings.entries()) {
    if (cursor > m.extent.physical) {
      throw new UserError(`partition ${partition}: cursor past mapping start: ${cursor} vs ${m.extent.physical}`);
    }
    cursor = m.extent.physical + m.extent.length;
    if (!Number.isSafeInteger(cursor)) throw new UserError(`partition ${partition}: overflow after mapping ${j}`);
  }
  return cursor;
}

/**
 * Upstream's structural checks (partitions present, in disk order, mappings sorted and
 * disjoint), plus the ones its unpacker assumes without checking: every mapping lies inside
 * its partition and every partition inside the image.
 */
export function validateOsmet(b: OsmetBody): void {
  if (b.partitions.length === 0) throw new UserError('OSMET file has no partitions!');
  let cursor = 0;
  for (const [i, p] of b.partitions.entries()) {
    if (cursor > p.startOffset) throw new UserError(`cursor past partition start: ${cursor} vs ${p.startOffset}`);
    if (p.endOffset < p.startOffset)
      throw new UserError(`partition ${i} ends before it starts: ${p.endOffset} vs ${p.startOffset}`);
    const relEnd = verifyCanonical(p.mappings, i);
    if (p.startOffset + relEnd > p.endOffset) {
      throw new UserError(`partition ${i}: mapping past partition end: ${p.startOffset + relEnd} vs ${p.endOffset}`);
    }
    cursor = p.endOffset;
  }
  if (cursor > b.size) throw new UserError(`partition past the end of the image: ${cursor} vs ${b.size}`);
}

export interface ParsedOsmet {
  header: OsmetHeader;
  body: OsmetBody;
  /** Where the xz stream (the packed image) starts. */
  dataOffset: number;
}

/** Header and body from the front of an osmet file, validated. */
export function decodeOsmet(buf: Buffer): ParsedOsmet {
  const r = new BincodeReader(buf);
  const header = decodeOsmetHeader(r);
  const body = decodeOsmetBody(r);
  try {
    validateOsmet(body);
  } catch (err) {
    throw new OsmetFormatError('validating after reading', { cause: err });
  }
  return { header, body, dataOffset: r.offset };
}

/** Object name as OSTree spells it: 64 lowercase hex characters. */
export function objectHex(object: Buffer): string {
  return object.toString('hex');
}
