/**
 * The install destination: a block device (upstream) or a regular file (VM disks without
 * root). Opened read-write; positional reads/writes, fsync, and zero-fill really write zeros.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { output } from '../exec/run.js';

export interface Target {
  path: string;
  kind: 'block' | 'file';
  sectorSize: number;
  /** Current size in bytes (a file without --dest-size grows as the image is written). */
  size: number;
  /** Upper bound the image may occupy; undefined = unbounded (a growing file). */
  limit?: number;
  /** Whether the file target was created by this run (deleted on failure). */
  created: boolean;
  handle: FileHandle;
}

export async function blockSectorSize(path: string): Promise<number> {
  const text = await output('blockdev', ['--getss', path]);
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`couldn't get sector size of ${path}: '${text}'`);
  return n;
}

export async function blockSize(path: string): Promise<number> {
  const text = await output('blockdev', ['--getsize64', path]);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UserError(`couldn't get size of ${path}: '${text}'`);
  return n;
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface TargetFacts {
  path: string;
  kind: 'block' | 'file';
  exists: boolean;
  sectorSize: number;
  size?: number;
}

/** Looks at the destination without opening it for writing (dry run, source selection). */
export async function inspectTarget(path: string, opts: { destSize?: number; destSectorSize?: number } = {}): Promise<TargetFacts> {
  const st = await statOrUndefined(path);
  if (st?.isBlockDevice()) {
    return { path, kind: 'block', exists: true, sectorSize: await blockSectorSize(path), size: await blockSize(path) };
  }
  if (st && !st.isFile()) throw new UserError(`${path} is not a block device or a regular file`);
  const sectorSize = opts.destSectorSize ?? 512;
  const size = opts.destSize ?? (st && st.size > 0 ? st.size : undefined);
  return { path, kind: 'file', exists: st !== undefined, sectorSize, size };
}

/** Opens the destination read-write; a file is created and/or extended to destSize. */
export async function openTarget(facts: TargetFacts, destSize?: number): Promise<Target> {
  if (facts.kind === 'block') {
    const handle = await open(facts.path, constants.O_RDWR | constants.O_EXCL).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EBUSY') throw new UserError(`couldn't open ${facts.path} exclusively: device is in use`, { cause: err });
      throw new UserError(`opening ${facts.path}`, { cause: err });
    });
    return { path: facts.path, kind: 'block', sectorSize: facts.sectorSize, size: facts.size!, limit: facts.size!, created: false, handle };
  }
  const handle = await open(facts.path, facts.exists ? 'r+' : 'wx+', 0o644).catch((err: unknown) => {
    throw new UserError(`opening ${facts.path}`, { cause: err });
  });
  let size = (await handle.stat()).size;
  if (destSize !== undefined && destSize > size) {
    await handle.truncate(destSize);
    size = destSize;
  }
  const limit = destSize ?? (facts.exists && size > 0 ? size : undefined);
  return { path: facts.path, kind: 'file', sectorSize: facts.sectorSize, size, limit, created: !facts.exists, handle };
}

export async function writeAt(target: Target, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await target.handle.write(buf, done, buf.length - done, position + done);
    if (bytesWritten <= 0) throw new UserError(`short write to ${target.path} at offset ${position + done}`);
    done += bytesWritten;
  }
  if (position + buf.length > target.size) target.size = position + buf.length;
}

/** Writes several buffers back to back at `position` without concatenating them. */
export async function writevAt(target: Target, bufs: Buffer[], position: number): Promise<void> {
  let pos = position;
  let rest = bufs.filter((b) => b.length > 0);
  while (rest.length > 0) {
    const { bytesWritten } = await target.handle.writev(rest, pos);
    if (bytesWritten <= 0) throw new UserError(`short write to ${target.path} at offset ${pos}`);
    pos += bytesWritten;
    let skip = bytesWritten;
    while (rest.length > 0 && skip >= rest[0]!.length) {
      skip -= rest[0]!.length;
      rest = rest.slice(1);
    }
    if (skip > 0 && rest.length > 0) rest = [rest[0]!.subarray(skip), ...rest.slice(1)];
  }
  if (pos > target.size) target.size = pos;
}

export async function readAt(target: Pick<Target, 'handle' | 'path'>, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await target.handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

export async function syncTarget(target: Target): Promise<void> {
  await target.handle.sync();
}

/** Sectors on the target (for GPT placement). */
export function targetSectors(target: Pick<Target, 'size' | 'sectorSize'>): number {
  return Math.floor(target.size / target.sectorSize);
}
