/**
 * A target cannot be mistaken. Checked while planning, before anything is opened for writing:
 *  - a path that does not exist is refused unless --dest-size asks for a new file, and nothing
 *    is ever created under /dev (a typo like /dev/sdz must not become a file on devtmpfs), nor
 *    is a regular file there (outside /dev/shm) ever written;
 *  - a block device must be a whole, writable disk (not a partition of one, not read-only);
 *    what it holds is not judged (overwriting a disk's filesystem is what install is for), and
 *    the busy checks (src/disk/busy.ts) still apply;
 *  - an existing regular file is a target only if it looks like a disk image (see
 *    file-content.ts); it is opened read-only and locked for the whole run (one writer per target).
 */
import { constants } from 'node:fs';
import { type FileHandle, lstat, open, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError, UserError } from '../errors.js';
import { HEAD_BYTES, classifyFileContent, notADiskImageError } from './file-content.js';
import { lockExclusive } from '../io/file-lock.js';
import { blockName, isPartition, isReadOnly, wholeDiskOf } from './sysfs-block.js';
import { type TargetFacts, readAt } from './target.js';

export interface TargetChoiceOptions {
  destSize?: number;
  destSectorSize?: number;
}

function underDev(path: string): boolean {
  return path === '/dev' || path.startsWith('/dev/');
}

async function checkNewFile(facts: TargetFacts, choice: TargetChoiceOptions): Promise<void> {
  const full = resolve(facts.path);
  // stat() followed it and found nothing: creating through it would write wherever it points.
  // Absent or unreadable: treated as not there.
  const link = await lstat(full).catch(() => undefined);
  if (link?.isSymbolicLink())
    throw new UserError(`${facts.path} is a symlink to ${await readlink(full)}, which does not exist`);
  const parent = dirname(full);
  const realParent = await realpath(parent).catch((err: unknown) => {
    throw new UserError(`${facts.path} does not exist, and neither does its directory ${parent}`, { cause: err });
  });
  if (underDev(full) || underDev(realParent)) {
    throw new UserError(
      `${facts.path} does not exist; refusing to create a file under /dev (check the device name, e.g. with lsblk)`,
    );
  }
  if (choice.destSize === undefined) {
    throw new UserError(
      `${facts.path} does not exist; name an existing disk, or pass --dest-size to create a disk image file`,
    );
  }
  if (!(await stat(realParent)).isDirectory()) throw new UserError(`${parent} is not a directory`);
}

async function checkBlockDevice(facts: TargetFacts, choice: TargetChoiceOptions): Promise<void> {
  if (choice.destSize !== undefined)
    throw new UsageError(`--dest-size applies only to a regular-file target; ${facts.path} is a block device`);
  if (choice.destSectorSize !== undefined) {
    throw new UsageError(`--dest-sector-size applies only to a regular-file target; ${facts.path} is a block device`);
  }
  const name = await blockName(facts.path);
  if (await isPartition(name)) {
    throw new UserError(
      `${facts.path} is a partition (${name}) of /dev/${await wholeDiskOf(name)}; install to the whole disk`,
    );
  }
  if (await isReadOnly(name)) throw new UserError(`${facts.path} is read-only; nothing can be installed to it`);
}

/** A regular file under /dev (outside /dev/shm) is the leftover of a mistyped device name. */
async function checkExistingFile(facts: TargetFacts): Promise<void> {
  const real = await realpath(facts.path);
  if (underDev(real) && !real.startsWith('/dev/shm/')) {
    throw new UserError(
      `${facts.path} is a regular file under /dev, not a device (left by a mistyped device name?); remove it and name the disk`,
    );
  }
}

/** Refuses a target that must not be written (see the header); nothing is opened for writing. */
export async function checkTargetChoice(facts: TargetFacts, choice: TargetChoiceOptions): Promise<void> {
  if (!facts.exists) return checkNewFile(facts, choice);
  if (facts.kind === 'block') return checkBlockDevice(facts, choice);
  return checkExistingFile(facts);
}

/** An existing file target, held read-only and locked from planning until the run ends. */
export interface HeldFile {
  handle: FileHandle;
  /** What it holds: `empty`, `zeros` or `partition table`. */
  content: string;
}

/**
 * Opens an existing file target read-only, checks it is the inspected file, takes the
 * exclusive lock (a second run on the same file is refused here), and refuses a file that
 * does not look like a disk image.
 */
export async function holdFileTarget(facts: TargetFacts): Promise<HeldFile> {
  const handle = await open(facts.path, constants.O_RDONLY).catch((err: unknown) => {
    throw new UserError(`opening ${facts.path}`, { cause: err });
  });
  try {
    const st = await handle.stat();
    if (facts.identity && (st.dev !== facts.identity.dev || st.ino !== facts.identity.ino)) {
      throw new UserError(`${facts.path} changed while it was inspected; not writing to it`);
    }
    await lockExclusive(handle, facts.path);
    const head = await readAt({ handle, path: facts.path }, Math.min(HEAD_BYTES, st.size), 0);
    const content = await classifyFileContent(facts.path, st.size, head);
    if (!content.writable) throw notADiskImageError(facts.path, content.found);
    return { handle, content: content.what };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
