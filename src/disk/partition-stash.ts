/**
 * `--preserve-on-error` with saved partitions, after the image was partly written: the disk's
 * table is left as it is (possibly the image's, possibly the placeholder), so the saved entries
 * are written to a stash file the user can restore them from, as upstream does: a sparse file
 * of the disk's size in the temp directory, named `<temp prefix>partitions.XXXXXX`
 * (`nestos-installer-` or `coreos-installer-`) (mode 0600), holding a GPT with only the saved
 * partitions at their original numbers.
 */
import { randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { type SavedPartitions, overwriteTable } from './saved-partitions.js';

const NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomSuffix(): string {
  return [...randomBytes(6)].map((b) => NAME_CHARS[b % NAME_CHARS.length]).join('');
}

async function createStashFile(dir: string, prefix: string): Promise<{ path: string; handle: FileHandle }> {
  for (let attempt = 0; ; attempt++) {
    const path = join(dir, `${prefix}${randomSuffix()}`);
    try {
      return { path, handle: await open(path, 'wx', 0o600) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) {
        throw new UserError('creating partition stash file', { cause: err });
      }
    }
  }
}

/** Writes the stash file and returns its path; `announce` is told the path before writing. */
export async function stashSavedPartitions(
  saved: SavedPartitions,
  tempPrefix: string,
  announce: (path: string) => void,
  dir = tmpdir(),
): Promise<string> {
  const { path, handle } = await createStashFile(dir, `${tempPrefix}partitions.`);
  announce(path);
  try {
    await handle.truncate(saved.diskSectors * saved.sectorSize);
    const table = overwriteTable(saved.sectorSize, saved.diskSectors, saved);
    await handle.write(table.head, 0, table.head.length, 0);
    await handle.write(table.backup, 0, table.backup.length, table.backupOffset);
    await handle.sync();
  } catch (err) {
    throw new UserError(`stashing saved partitions to ${path}`, { cause: err });
  } finally {
    await handle.close();
  }
  return path;
}
