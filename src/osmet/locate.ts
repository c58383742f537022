/**
 * Finds the osmet file for an install, as upstream: in each osmet directory (a missing one is
 * skipped), the regular files in directory order; each one's header is read and checked (a
 * file that is not a valid osmet file aborts the search with its error); the first whose
 * architecture and sector size equal the target's is chosen. Names do not matter.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { OsmetHeader } from './format.js';
import { readOsmetHeader } from './file.js';

export interface FoundOsmet {
  path: string;
  header: OsmetHeader;
}

export async function findOsmet(
  dirs: readonly string[],
  arch: string,
  sectorSize: number,
): Promise<FoundOsmet | undefined> {
  for (const dir of dirs) {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new UserError(`reading osmet directory ${dir}`, { cause: err });
    }
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const path = join(dir, entry.name);
      let header: OsmetHeader;
      try {
        header = await readOsmetHeader(path);
      } catch (err) {
        throw new UserError(`reading osmet file ${path}`, { cause: err });
      }
      if (header.architecture === arch && header.sectorSize === sectorSize) return { path, header };
    }
  }
  return undefined;
}
