/**
 * What the commands need from a streamed initrd: the names of its files, or the contents of the
 * few files a filter asks for, with a bound on what is held in memory (an initrd member can be a
 * 1 GiB squashfs, or a decompression bomb).
 */
import { UserError } from '../errors.js';
import { formatBytes } from '../progress-line.js';
import { comparePaths } from './cpio-newc.js';
import { scanInitrd, type InitrdReadOptions } from './scan.js';

/** Default bound on file contents kept in memory (sum of the kept files). */
export const MAX_KEPT_BYTES = 64 * 1024 * 1024;

export interface CollectOptions extends InitrdReadOptions {
  maxKeptBytes?: number;
}

type Source = AsyncIterable<Buffer | Uint8Array | string>;

/** Path → contents of the regular files matching `filter` (last duplicate wins), sorted bytewise. */
export async function collectInitrd(
  source: Source,
  filter: (path: string) => boolean,
  opts: CollectOptions = {},
): Promise<Map<string, Buffer>> {
  const limit = opts.maxKeptBytes ?? MAX_KEPT_BYTES;
  const files = new Map<string, Buffer>();
  let kept = 0;
  await scanInitrd(
    source,
    ({ name, size }) => {
      if (!filter(name)) return undefined;
      const replaced = files.get(name)?.length ?? 0;
      if (kept - replaced + size > limit) {
        throw new UserError(
          `file '${name}' in the initrd is too large to read into memory (${formatBytes(size)}; limit ${formatBytes(limit)})`,
        );
      }
      const parts: Buffer[] = [];
      return {
        write: (chunk) => void parts.push(Buffer.from(chunk)),
        end: () => {
          kept += size - replaced;
          files.set(name, Buffer.concat(parts, size));
        },
      };
    },
    opts,
  );
  return new Map([...files.entries()].sort((a, b) => comparePaths(a[0], b[0])));
}

/** Sorted, de-duplicated names of the regular files matching `filter`; no contents are kept. */
export async function listInitrd(
  source: Source,
  filter: (path: string) => boolean,
  opts: InitrdReadOptions = {},
): Promise<string[]> {
  const names = new Set<string>();
  await scanInitrd(
    source,
    ({ name }) => {
      if (filter(name)) names.add(name);
      return undefined;
    },
    opts,
  );
  return [...names].sort(comparePaths);
}
