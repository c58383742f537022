/**
 * `miniso.dat`, compatible with upstream: a bincode header (magic `MINISO\0\0`, version 1,
 * writer version) then the data: a table of files the minimal ISO shares with the full one
 * (start sector in each, byte length), the sha256 of the whole minimal ISO, and one xz
 * stream of the minimal ISO with those files' bytes left out. Header and data must fit in
 * 1 MiB together; the table must be non-empty, sorted by minimal sector and free of overlaps.
 */
import { UserError } from '../errors.js';
import { BincodeReader, BincodeWriter, TruncatedInputError } from './bincode.js';

export const MINISO_MAGIC = Buffer.from('MINISO\0\0', 'latin1');
export const MINISO_VERSION = 1;
/** Upstream's limit on header + data, on read and on write. */
export const MINISO_LIMIT = 1024 * 1024;
export const ISO_SECTOR = 2048;
const MIN_ENTRY_BYTES = 3;

export interface MinisoHeader {
  version: number;
  appVersion: string;
}

export interface TableEntry {
  /** Start sector of the file in the minimal ISO. */
  minimal: number;
  /** Start sector of the same file in the full ISO. */
  full: number;
  length: number;
}

export interface MinisoData {
  entries: TableEntry[];
  /** SHA-256 of the whole minimal ISO. */
  digest: Buffer;
  /** One xz stream: the minimal ISO without the table's file bytes. */
  xzpacked: Buffer;
}

export function validateTable(entries: readonly TableEntry[]): void {
  if (entries.length === 0) throw new UserError('table is empty; ISOs have no files in common?');
  for (let i = 1; i < entries.length; i++) {
    const prev = entries[i - 1]!;
    const cur = entries[i]!;
    if (prev.minimal * ISO_SECTOR + prev.length > cur.minimal * ISO_SECTOR) {
      throw new UserError(`Files at offsets ${prev.minimal * ISO_SECTOR} and ${cur.minimal * ISO_SECTOR} overlap`);
    }
  }
}

export function encodeMiniso(header: MinisoHeader, data: MinisoData): Buffer {
  validateTable(data.entries);
  const w = new BincodeWriter()
    .fixed(MINISO_MAGIC, MINISO_MAGIC.length)
    .u32(header.version)
    .string(header.appVersion)
    .u64(data.entries.length);
  for (const e of data.entries) w.u32(e.minimal).u32(e.full).u32(e.length);
  const out = w.fixed(data.digest, 32).bytes(data.xzpacked).toBuffer();
  if (out.length > MINISO_LIMIT) throw new UserError(`collision with data size limit at offset ${MINISO_LIMIT}`);
  return out;
}

/** Decodes miniso.dat from `buf` (the file's contents); bytes after the data are ignored. */
export function decodeMiniso(buf: Buffer): { header: MinisoHeader; data: MinisoData } {
  const limited = buf.length > MINISO_LIMIT ? buf.subarray(0, MINISO_LIMIT) : buf;
  const r = new BincodeReader(limited);
  try {
    if (!r.fixed(MINISO_MAGIC.length).equals(MINISO_MAGIC)) throw new UserError('not a miniso file!');
    const version = r.u32();
    const appVersion = r.string();
    if (version !== MINISO_VERSION) {
      throw new UserError(
        `incompatible miniso file version: ${MINISO_VERSION} vs ${version} (created by ${appVersion})`,
      );
    }
    const n = r.count(MIN_ENTRY_BYTES);
    const entries: TableEntry[] = [];
    for (let i = 0; i < n; i++) entries.push({ minimal: r.u32(), full: r.u32(), length: r.u32() });
    const digest = Buffer.from(r.fixed(32));
    const xzpacked = Buffer.from(r.bytes());
    validateTable(entries);
    return { header: { version, appVersion }, data: { entries, digest, xzpacked } };
  } catch (err) {
    if (err instanceof TruncatedInputError && limited.length < buf.length) {
      throw new UserError(`collision with data size limit at offset ${MINISO_LIMIT}`);
    }
    throw err;
  }
}
