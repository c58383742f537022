/**
 * newc ("070701") cpio writer, and the header parsing the streaming reader (newc-stream.ts) uses.
 *
 * Our own small module rather than cpio-stream: the writer must reproduce upstream's bytes exactly
 * (the Rust `cpio` crate: running inode numbers, implicit parent directories 040755, files
 * 0100600, nlink 1, no 512-byte trailer padding, as upstream writes them), and the reader must accept
 * what cpio-stream does not: upper-case hex (GNU cpio), the 070702 magic, NUL-padded names
 * (dracut --data-align), and it must bounds-check every field of untrusted input.
 */
import { UserError } from '../errors.js';

const MAGIC = '070701';
export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;

const pad4 = (n: number) => (4 - (n % 4)) % 4;

function header(ino: number, mode: number, size: number, name: string): Buffer {
  const nameBytes = Buffer.from(name + '\0', 'utf8');
  const fields = [ino, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, nameBytes.length, 0];
  const text = MAGIC + fields.map((f) => f.toString(16).padStart(8, '0')).join('');
  const head = Buffer.concat([Buffer.from(text, 'ascii'), nameBytes]);
  return Buffer.concat([head, Buffer.alloc(pad4(head.length))]);
}

/** Byte-wise comparison of UTF-8 paths (Rust's BTreeMap<String> order). */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Encodes files (path → contents) as upstream does: sorted paths, parent directories emitted
 * when first entered, then the trailer.
 */
export function writeNewc(files: Map<string, Buffer>): Buffer {
  const parts: Buffer[] = [];
  let ino = 0;
  let cwd: string[] = [];
  const paths = [...files.keys()].sort(comparePaths);
  for (const p of paths) {
    const components = p.split('/');
    const dirs = components.slice(0, -1);
    let common = 0;
    while (common < cwd.length && common < dirs.length && cwd[common] === dirs[common]) common++;
    cwd = cwd.slice(0, common);
    for (const d of dirs.slice(common)) {
      cwd.push(d);
      parts.push(header(ino++, 0o040755, 0, cwd.join('/')));
    }
    const data = files.get(p)!;
    parts.push(header(ino++, 0o100600, data.length, p), data, Buffer.alloc(pad4(data.length)));
  }
  parts.push(header(0, 0, 0, 'TRAILER!!!'));
  return Buffer.concat(parts);
}

/** Size of the fixed newc header ("070701" + 13 eight-digit hex fields). */
export const NEWC_HEADER_SIZE = 110;
/**
 * Longest name field accepted. Real names are under PATH_MAX (4096), dracut --data-align pads them
 * with NULs to a block boundary; the bound keeps a streaming reader from buffering a hostile name.
 */
export const MAX_NAME_SIZE = 64 * 1024;

export interface NewcFixedHeader {
  mode: number;
  size: number;
  namesize: number;
}

/**
 * Validates the fixed header at `buf[pos]` (at least NEWC_HEADER_SIZE bytes); `at` is the
 * archive offset reported in errors.
 */
export function parseNewcFixed(buf: Buffer, pos: number, at: number): NewcFixedHeader {
  const magic = buf.toString('latin1', pos, pos + 6);
  if (magic !== '070701' && magic !== '070702') throw new UserError(`bad cpio magic at offset ${at}`);
  const field = (i: number) => {
    const text = buf.toString('latin1', pos + 6 + i * 8, pos + 14 + i * 8);
    if (!/^[0-9a-fA-F]{8}$/.test(text)) throw new UserError(`bad cpio header field at offset ${at + 6 + i * 8}`);
    return parseInt(text, 16);
  };
  const mode = field(1);
  const size = field(6);
  const namesize = field(11);
  if (namesize === 0) throw new UserError(`truncated cpio name at offset ${at + NEWC_HEADER_SIZE}`);
  if (namesize > MAX_NAME_SIZE)
    throw new UserError(`cpio name too long (${namesize} bytes) at offset ${at + NEWC_HEADER_SIZE}`);
  return { mode, size, namesize };
}

/** The name field without its terminating NUL and any further NUL padding (dracut-cpio pads names). */
export function newcName(buf: Buffer, start: number, namesize: number): string {
  let end = start + namesize;
  while (end > start && buf[end - 1] === 0) end--;
  return buf.toString('utf8', start, end);
}

/** Offset of an entry's data from the start of its header (header + name, 4-aligned). */
export const newcDataOffset = (namesize: number) => NEWC_HEADER_SIZE + namesize + pad4(NEWC_HEADER_SIZE + namesize);
export const NEWC_TRAILER = 'TRAILER!!!';
export { pad4 as newcPad };
