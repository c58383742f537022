/**
 * Output files that appear whole or not at all: data goes to `.nestos-installer-temp-XXXXXX`
 * (the flavour table's temp prefix) in the target's directory, then is persisted without
 * clobbering (link, then unlink the temp name), as upstream's tempfile `persist_noclobber`. An
 * existing target fails with "File exists"; on any error the temp file is removed.
 */
import { closeSync, constants, copyFileSync, existsSync, linkSync, lstatSync, openSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { FLAVORS } from '../flavor.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomSuffix(): string {
  return [...randomBytes(6)].map((b) => ALNUM[b % ALNUM.length]).join('');
}

export interface TempOutput {
  path: string;
  fd: number;
}

/**
 * Creates a fresh temp file next to `target` with `create(path)`, which must fail with EEXIST
 * when the path exists (exclusive create); retried under another random name.
 */
function createExclusiveNextTo(target: string, create: (path: string) => number): TempOutput {
  const dir = dirname(resolve(target));
  for (let attempt = 0; ; attempt++) {
    const path = join(dir, `.${FLAVORS.nestos.tempPrefix}temp-${randomSuffix()}`);
    try {
      return { path, fd: create(path) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) {
        throw new UserError(`creating temporary file in ${dir}`, { cause: e });
      }
    }
  }
}

/** Creates a fresh, empty temp file next to `target`. */
export function createTempNextTo(target: string): TempOutput {
  return createExclusiveNextTo(target, (path) => openSync(path, 'wx+', 0o644));
}

/**
 * Creates the temp file next to `target` as a copy of `source`: a reflink where the filesystem
 * has them, else copy_file_range. Created exclusively by the copy itself, never truncated: on
 * ext4 truncating a file and closing it forces its writeback, which would make `-o FILE` wait
 * for the disk (docs/performance.md).
 */
export function copyToTempNextTo(source: string, target: string): TempOutput {
  return createExclusiveNextTo(target, (path) => {
    copyFileSync(source, path, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    try {
      return openSync(path, 'r+');
    } catch (e) {
      unlinkSync(path);
      throw e;
    }
  });
}

/** upstream's wording for an output that is already there (create-new's io::Error). */
export const FILE_EXISTS = 'File exists (os error 17)';

/** The error for an output path that exists: -o never overwrites (as upstream); remove it or pick another. */
export function outputExistsError(target: string): UserError {
  return new UserError(`${target} exists; -o never overwrites: remove it or choose another output path`, {
    cause: new UserError(FILE_EXISTS),
  });
}

/** Refuses an existing output path before any work (the no-clobber persist still guards against races). */
export function refuseExistingOutput(target: string): void {
  if (existsSync(target) || isDanglingLink(target)) throw outputExistsError(target);
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function persistError(e: unknown, target: string): UserError {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EEXIST')
    return new UserError(`persisting output file '${target}'`, { cause: outputExistsError(target) });
  return new UserError(`persisting output file '${target}'`, { cause: err });
}

/** Persists an already-written temp file at `target` without clobbering; the temp name is removed. */
export function persistNoClobber(tempPath: string, target: string): void {
  try {
    linkSync(tempPath, target);
  } catch (e) {
    throw persistError(e, target);
  } finally {
    try {
      unlinkSync(tempPath);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Runs `fill(temp)` and persists the result at `target` without clobbering an existing file.
 * The temp file starts empty, or as a copy of `opts.copyOf`.
 */
export async function writeFileNoClobber(
  target: string,
  fill: (temp: TempOutput) => Promise<void> | void,
  opts: { copyOf?: string } = {},
): Promise<void> {
  const temp = opts.copyOf === undefined ? createTempNextTo(target) : copyToTempNextTo(opts.copyOf, target);
  let closed = false;
  try {
    await fill(temp);
    closeSync(temp.fd);
    closed = true;
    try {
      linkSync(temp.path, target);
    } catch (e) {
      throw persistError(e, target);
    }
  } finally {
    if (!closed) closeSync(temp.fd);
    try {
      unlinkSync(temp.path);
    } catch {
      /* already gone */
    }
  }
}
