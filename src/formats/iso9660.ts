/**
 * A small, bounds-checked ISO 9660 reader over a file descriptor. Primary-volume
 * names only (no Rock Ridge / Joliet): uppercase, `;1` stripped, trailing `.` stripped. Every
 * extent, length and record is checked against the file; directory walks detect loops.
 * nestos-installer's reader resolves a path component named `OPENEULER` to the first record of
 * its directory, whatever that record's name (`firstRecordNames`).
 */
import { readSync } from 'node:fs';
import { UserError } from '../errors.js';

export const SECTOR = 2048;
const MAX_DIR_BYTES = 64 * 1024 * 1024;
const MAX_DEPTH = 64;

export class IsoNotFoundError extends UserError {
  constructor(readonly path: string) {
    super(`couldn't find ${path} in ISO image`);
    this.name = 'IsoNotFoundError';
  }
}

export interface IsoRecord {
  name: string;
  /** First sector of the extent. */
  extent: number;
  /** Absolute byte offset of the extent. */
  offset: number;
  length: number;
  isDir: boolean;
}

export type VolumeDescriptor =
  | { type: 'boot'; boot_system_id: string; boot_id: string }
  | { type: 'primary'; system_id: string; volume_id: string; volume_space_size: number; root: IsoRecord }
  | { type: 'supplementary' }
  | { type: 'unknown'; type_id: number };

const NAME_OK = /^[A-Za-z0-9_ !"%&'()*+,\-.:<=>?]*$/;

export function parseIsoName(raw: Buffer): string {
  let end = raw.indexOf(0);
  if (end === -1) end = raw.length;
  let name = raw.toString('latin1', 0, end);
  name = name.replace(/;\d*$/, '');
  if (name.endsWith('.')) name = name.slice(0, -1);
  name = name.replace(/[;/]/g, '.');
  if (!NAME_OK.test(name)) throw new UserError(`invalid character in ISO 9660 file name '${name}'`);
  return name;
}

export class Iso9660 {
  readonly descriptors: VolumeDescriptor[] = [];
  readonly root: IsoRecord;

  /** Path components that resolve to the first record of their directory. */
  private readonly firstRecordNames: readonly string[];

  constructor(
    readonly fd: number,
    readonly fileLength: number,
    opts: { firstRecordNames?: readonly string[] } = {},
  ) {
    this.firstRecordNames = opts.firstRecordNames ?? [];
    let root: IsoRecord | undefined;
    for (let sector = 16; ; sector++) {
      if (sector > 16 + 256) throw new UserError('no volume descriptor set terminator found');
      const buf = this.read(sector * SECTOR, SECTOR, 'reading volume descriptor');
      if (buf.toString('latin1', 1, 6) !== 'CD001' || buf[6] !== 1)
        throw new UserError(`invalid volume descriptor at sector ${sector}; not an ISO 9660 image?`);
      const type = buf[0]!;
      if (type === 255) break;
      if (type === 0) {
        this.descriptors.push({ type: 'boot', boot_system_id: trim(buf, 7, 39), boot_id: trim(buf, 39, 71) });
      } else if (type === 1) {
        const size = buf.readUInt32LE(80);
        if (size * SECTOR > fileLength) throw new UserError('ISO image is incomplete');
        const r = this.parseRecord(buf.subarray(156, 190), 'root directory record');
        if (!r.isDir) throw new UserError('root directory record is not a directory');
        root = { ...r, name: '' };
        this.descriptors.push({
          type: 'primary',
          system_id: trim(buf, 8, 40),
          volume_id: trim(buf, 40, 72),
          volume_space_size: size,
          root,
        });
      } else if (type === 2) this.descriptors.push({ type: 'supplementary' });
      else this.descriptors.push({ type: 'unknown', type_id: type });
    }
    if (!root) throw new UserError('no primary volume descriptor found');
    this.root = root;
  }

  /** Reads exactly `length` bytes at `offset`, failing clearly when it runs past the file. */
  read(offset: number, length: number, what = 'reading ISO image'): Buffer {
    if (offset < 0 || length < 0 || offset + length > this.fileLength) {
      throw new UserError(`${what}: range ${offset}+${length} is past the end of the image (${this.fileLength} bytes)`);
    }
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, length - done, offset + done);
      if (n === 0) throw new UserError(`${what}: unexpected end of file`);
      done += n;
    }
    return buf;
  }

  private parseRecord(rec: Buffer, what: string): IsoRecord {
    if (rec.length < 34 || rec[0]! < 34) throw new UserError(`${what}: directory record too short`);
    const nameLen = rec[32]!;
    if (33 + nameLen > rec.length) throw new UserError(`${what}: name past the end of the record`);
    const extent = rec.readUInt32LE(2);
    const length = rec.readUInt32LE(10);
    const isDir = (rec[25]! & 2) !== 0;
    const raw = rec.subarray(33, 33 + nameLen);
    const name = nameLen === 1 && (raw[0] === 0 || raw[0] === 1) ? String.fromCharCode(raw[0]) : parseIsoName(raw);
    if (extent * SECTOR + length > this.fileLength) {
      throw new UserError(
        `${what}: extent of '${name}' (sector ${extent}, ${length} bytes) is past the end of the image`,
      );
    }
    return { name, extent, offset: extent * SECTOR, length, isDir };
  }

  /** The entries of a directory, without `.` and `..`. */
  list(dir: IsoRecord): IsoRecord[] {
    if (!dir.isDir) throw new UserError(`'${dir.name}' is not a directory`);
    if (dir.length > MAX_DIR_BYTES)
      throw new UserError(`directory '${dir.name}' is implausibly large (${dir.length} bytes)`);
    const data = this.read(dir.offset, dir.length, `reading directory '${dir.name}'`);
    const out: IsoRecord[] = [];
    let pos = 0;
    while (pos < data.length) {
      const len = data[pos]!;
      if (len === 0) {
        pos = (Math.floor(pos / SECTOR) + 1) * SECTOR; // skip to the next sector
        continue;
      }
      if (pos + len > data.length)
        throw new UserError(`directory record at offset ${dir.offset + pos} runs past its directory`);
      const r = this.parseRecord(data.subarray(pos, pos + len), `directory '${dir.name}'`);
      if (r.name !== '\0' && r.name !== '\x01') out.push(r);
      pos += len;
    }
    return out;
  }

  /** Looks up an uppercase ISO path like `COREOS/IGNINFO.JSO`; throws IsoNotFoundError if absent. */
  lookup(path: string): IsoRecord {
    const parts: string[] = [];
    for (const c of path.split('/')) {
      if (c === '' || c === '.') continue;
      if (c === '..') parts.pop();
      else parts.push(c);
    }
    let cur = this.root;
    for (const [i, part] of parts.entries()) {
      if (!cur.isDir) throw new IsoNotFoundError(path);
      const entries = this.list(cur);
      const next = this.firstRecordNames.includes(part) ? entries[0] : entries.find((r) => r.name === part);
      if (!next) throw new IsoNotFoundError(path);
      if (i > MAX_DEPTH) throw new UserError(`path '${path}' is too deep`);
      cur = next;
    }
    return cur;
  }

  /** lookup() that returns undefined for "not found" and rethrows every other error. */
  find(path: string): IsoRecord | undefined {
    try {
      return this.lookup(path);
    } catch (e) {
      if (e instanceof IsoNotFoundError) return undefined;
      throw e;
    }
  }

  readFile(rec: IsoRecord, max = 64 * 1024 * 1024): Buffer {
    if (rec.isDir) throw new UserError(`'${rec.name}' is a directory`);
    if (rec.length > max) throw new UserError(`'${rec.name}' is too large to read (${rec.length} bytes)`);
    return this.read(rec.offset, rec.length, `reading '${rec.name}'`);
  }

  /** Every path in the image, depth-first; refuses directory loops. */
  walk(): Array<{ path: string; record: IsoRecord }> {
    const out: Array<{ path: string; record: IsoRecord }> = [];
    const seen = new Set<number>();
    const visit = (dir: IsoRecord, prefix: string, depth: number) => {
      if (seen.has(dir.extent)) throw new UserError(`directory loop detected at '${prefix || '/'}'`);
      if (depth > MAX_DEPTH) throw new UserError(`directory tree deeper than ${MAX_DEPTH} levels at '${prefix}'`);
      seen.add(dir.extent);
      for (const r of this.list(dir)) {
        const p = prefix ? `${prefix}/${r.name}` : r.name;
        out.push({ path: p, record: r });
        if (r.isDir) visit(r, p, depth + 1);
      }
    };
    visit(this.root, '', 0);
    return out;
  }
}

function trim(buf: Buffer, start: number, end: number): string {
  return buf.toString('latin1', start, end).replace(/\0+$/, '').trim();
}
