/**
 * The install destination: a block device (upstream) or a regular file (VM disks without
 * root). Inspected without writing (facts, identity), then opened read-write only once the
 * plan is complete; the opened descriptor must be the very file or device that was inspected.
 * Positional reads/writes and fsync; a failed write names the target and the offset, and the
 * target records whether this run wrote to it at all (a failure before that leaves it alone).
 */
import { constants, type Stats } from 'node:fs';
import { access, open, stat, unlink, type FileHandle } from 'node:fs/promises';
import { getSystemErrorMap } from 'node:util';
import { UserError } from '../errors.js';
import { output } from '../exec/run.js';
import { lockExclusive } from '../io/file-lock.js';

/** Which file or device a path named: dev/ino for files, the device number for block devices. */
export interface TargetIdentity {
  dev: number;
  ino: number;
  rdev: number;
}

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
  /** Whether this run has written (or zeroed) any byte of the target. */
  wrote: boolean;
  /** What the open descriptor refers to. */
  identity: TargetIdentity;
  handle: FileHandle;
}

function identityOf(st: Stats): TargetIdentity {
  return { dev: st.dev, ino: st.ino, rdev: st.rdev };
}

function sameTarget(kind: 'block' | 'file', a: TargetIdentity, b: TargetIdentity): boolean {
  return kind === 'block' ? a.rdev === b.rdev : a.dev === b.dev && a.ino === b.ino;
}

/** `EPERM` → `Operation not permitted`: the system's words for an errno, as upstream prints them. */
export function errnoText(err: unknown): string | undefined {
  const errno = (err as NodeJS.ErrnoException | undefined)?.errno;
  const text = typeof errno === 'number' ? getSystemErrorMap().get(errno)?.[1] : undefined;
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : undefined;
}

/** A write that failed: `writing /dev/sdb at offset N: No space left on device`, cause kept. */
export function writeError(path: string, position: number, err: unknown): UserError {
  if (err instanceof UserError) return err;
  const why = errnoText(err);
  return new UserError(`writing ${path} at offset ${position}${why ? `: ${why}` : ''}`, { cause: err });
}

const NEEDS_ROOT = new Set(['EACCES', 'EPERM']);

/** Opening a device for writing failed: name it, keep the cause, and say root is needed. */
function openError(path: string, kind: 'block' | 'file', err: unknown): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  if (kind === 'block' && code === 'EBUSY')
    return new UserError(`couldn't open ${path} exclusively: device is in use`, { cause: err });
  if (kind === 'block' && code && NEEDS_ROOT.has(code)) {
    return new UserError(
      `cannot open ${path} for writing: ${errnoText(err) ?? code}; writing to a disk needs root (run the installer as root)`,
      { cause: err },
    );
  }
  return new UserError(`opening ${path} for writing`, { cause: err });
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
  /** What `path` named when inspected (existing targets). */
  identity?: TargetIdentity;
}

/** Looks at the destination without opening it for writing (dry run, source selection). */
export async function inspectTarget(
  path: string,
  opts: { destSize?: number; destSectorSize?: number } = {},
): Promise<TargetFacts> {
  const st = await statOrUndefined(path);
  if (st?.isBlockDevice()) {
    // blockdev opens the device: check access first so a non-root user gets the root hint.
    await access(path, constants.R_OK | constants.W_OK).catch((err: unknown) => {
      throw openError(path, 'block', err);
    });
    return {
      path,
      kind: 'block',
      exists: true,
      sectorSize: await blockSectorSize(path),
      size: await blockSize(path),
      identity: identityOf(st),
    };
  }
  if (st && !st.isFile()) throw new UserError(`${path} is not a block device or a regular file`);
  const sectorSize = opts.destSectorSize ?? 512;
  const size = opts.destSize ?? (st && st.size > 0 ? st.size : undefined);
  return { path, kind: 'file', exists: st !== undefined, sectorSize, size, identity: st ? identityOf(st) : undefined };
}

/**
 * Opens the destination read-write: a block device exclusively (O_EXCL), an existing file in
 * place (its lock is held since planning), a new file only if nothing appeared at its path
 * since it was inspected (O_EXCL), locked at once. The descriptor must refer to what was
 * inspected; a file is extended to destSize.
 */
export async function openTarget(facts: TargetFacts, destSize?: number): Promise<Target> {
  if (facts.kind === 'block') {
    const handle = await open(facts.path, constants.O_RDWR | constants.O_EXCL).catch((err: unknown) => {
      throw openError(facts.path, 'block', err);
    });
    const identity = await checkOpened(facts, handle);
    return {
      path: facts.path,
      kind: 'block',
      sectorSize: facts.sectorSize,
      size: facts.size!,
      limit: facts.size!,
      created: false,
      wrote: false,
      identity,
      handle,
    };
  }
  const handle = await open(facts.path, facts.exists ? 'r+' : 'wx+', 0o644).catch((err: NodeJS.ErrnoException) => {
    if (!facts.exists && err.code === 'EEXIST') {
      throw new UserError(
        `${facts.path} appeared after it was inspected (another install to the same path?); leaving it alone`,
        { cause: err },
      );
    }
    throw openError(facts.path, 'file', err);
  });
  if (!facts.exists) {
    // A file this run creates is locked at once; another run that locked it first owns it:
    // close, never remove.
    await lockExclusive(handle, facts.path).catch(async (err: unknown) => {
      await handle.close();
      throw err;
    });
  }
  const identity = facts.exists ? await checkOpened(facts, handle) : identityOf(await handle.stat());
  let size = (await handle.stat()).size;
  if (destSize !== undefined && destSize > size) {
    await handle.truncate(destSize).catch(async (err: unknown) => {
      await handle.close();
      if (!facts.exists) await unlink(facts.path).catch(() => undefined); // created and locked by this run
      throw new UserError(`extending ${facts.path} to ${destSize} bytes`, { cause: err });
    });
    size = destSize;
  }
  const limit = destSize ?? (facts.exists && size > 0 ? size : undefined);
  return {
    path: facts.path,
    kind: 'file',
    sectorSize: facts.sectorSize,
    size,
    limit,
    created: !facts.exists,
    wrote: false,
    identity,
    handle,
  };
}

/** The opened descriptor must be what was inspected (a path swapped in between is refused). */
async function checkOpened(facts: TargetFacts, handle: FileHandle): Promise<TargetIdentity> {
  const identity = identityOf(await handle.stat());
  if (facts.identity && !sameTarget(facts.kind, facts.identity, identity)) {
    await handle.close();
    throw new UserError(
      `${facts.path} changed after it was inspected (replaced by another file or device); not writing to it`,
    );
  }
  return identity;
}

/** What `target.path` names now, when it is no longer the open target: undefined when it still is. */
export async function targetPathChange(
  target: Pick<Target, 'path' | 'kind' | 'identity'>,
): Promise<'removed' | 'replaced' | undefined> {
  const st = await statOrUndefined(target.path);
  if (!st) return 'removed';
  return sameTarget(target.kind, identityOf(st), target.identity) ? undefined : 'replaced';
}

export async function writeAt(target: Target, buf: Buffer, position: number): Promise<void> {
  target.wrote = true;
  let done = 0;
  try {
    while (done < buf.length) {
      const { bytesWritten } = await target.handle.write(buf, done, buf.length - done, position + done);
      if (bytesWritten <= 0) throw new UserError(`short write to ${target.path} at offset ${position + done}`);
      done += bytesWritten;
    }
  } catch (err) {
    throw writeError(target.path, position + done, err);
  }
  if (position + buf.length > target.size) target.size = position + buf.length;
}

/** Writes several buffers back to back at `position` without concatenating them. */
export async function writevAt(target: Target, bufs: Buffer[], position: number): Promise<void> {
  target.wrote = true;
  let pos = position;
  let rest = bufs.filter((b) => b.length > 0);
  while (rest.length > 0) {
    const { bytesWritten } = await target.handle.writev(rest, pos).catch((err: unknown) => {
      throw writeError(target.path, pos, err);
    });
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

export async function readAt(
  target: Pick<Target, 'handle' | 'path'>,
  length: number,
  position: number,
): Promise<Buffer> {
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
  await target.handle.sync().catch((err: unknown) => {
    throw new UserError(`syncing ${target.path}${errnoText(err) ? `: ${errnoText(err)}` : ''}`, { cause: err });
  });
}

/** Sectors on the target (for GPT placement). */
export function targetSectors(target: Pick<Target, 'size' | 'sectorSize'>): number {
  return Math.floor(target.size / target.sectorSize);
}
