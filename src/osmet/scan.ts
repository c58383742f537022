/**
 * The packer's scan of a mounted metal image, as upstream does it: every `.file` content object
 * of `<root>/ostree/repo/objects` is mapped extent by extent (FIEMAP) to the object it holds;
 * every regular file of /boot larger than 1 KiB whose bytes equal an object's is mapped to
 * that object too (the kernel and initramfs copies), so both come back from the live system's
 * repo. Object names are taken from their paths (2 + 62 hex characters), never recomputed.
 */
import { lstat, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { sha256OfFile } from '../verify/file-sha256.js';
import type { Reporter } from '../report.js';
import { fileExtents } from './fiemap.js';
import type { Mapping } from './format.js';
import { canonicalizeMappings } from './mappings.js';

const BOOT_MIN_SIZE = 1024;

/** Regular files under `dir` (symlinks not followed), depth first in directory order. */
async function* regularFiles(dir: string): AsyncGenerator<{ path: string; size: number }> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* regularFiles(path);
    else if (entry.isFile()) yield { path, size: (await lstat(path)).size };
  }
}

/** The 32-byte object name encoded in `objects/XX/YYYY….file`. */
export function objectFromPath(path: string): Buffer {
  const dir = basename(dirname(path));
  const stem = basename(path).replace(/\.file$/, '');
  if (!/^[0-9a-fA-F]{2}$/.test(dir) || !/^[0-9a-fA-F]{62}$/.test(stem))
    throw new UserError(`Malformed object path ${path}`);
  return Buffer.from(dir + stem, 'hex');
}

function report(reporter: Reporter, what: string, stats: { dropped: number; clamped: number }, count: number): void {
  if (count === 0) reporter.info('No mappings to canonicalize');
  reporter.info(`Duplicate extents dropped: ${stats.dropped}`);
  reporter.info(`Overlapping extents clamped: ${stats.clamped}`);
  reporter.info(`Total ${what} extents: ${count}`);
}

export interface ScanResult {
  boot: Mapping[];
  root: Mapping[];
}

export async function scanMounts(bootDir: string, rootDir: string, reporter: Reporter): Promise<ScanResult> {
  // /boot files by size: the first one seen of each size is the candidate.
  const bootBySize = new Map<number, string>();
  for await (const f of regularFiles(bootDir)) {
    if (f.size > BOOT_MIN_SIZE && !bootBySize.has(f.size)) bootBySize.set(f.size, f.path);
  }
  const objectsDir = join(rootDir, 'ostree/repo/objects');
  const objects: Array<{ path: string; size: number }> = [];
  try {
    for await (const f of regularFiles(objectsDir)) if (f.path.endsWith('.file')) objects.push(f);
  } catch (err) {
    throw new UserError(`scanning ${objectsDir}`, { cause: err });
  }
  const extents = await fileExtents(objects.map((o) => o.path));
  const rootMappings: Mapping[] = [];
  const bootMatches = new Map<string, Buffer>();
  const bootShaBySize = new Map<number, string>();
  let empty = 0;
  for (const obj of objects) {
    const list = extents.get(obj.path) ?? [];
    if (list.length === 0) {
      empty++;
      continue;
    }
    const object = objectFromPath(obj.path);
    for (const extent of list) rootMappings.push({ extent, object });
    const bootPath = bootBySize.get(obj.size);
    if (bootPath === undefined) continue;
    let bootSha = bootShaBySize.get(obj.size);
    if (bootSha === undefined) {
      bootSha = (await sha256OfFile(bootPath)).toString('hex');
      bootShaBySize.set(obj.size, bootSha);
    }
    if (bootSha === (await sha256OfFile(obj.path)).toString('hex')) {
      bootMatches.set(bootPath, object);
      bootBySize.delete(obj.size);
    }
  }
  reporter.info(
    `Total OSTree objects scanned from /root: ${objects.length} (${objects.length - empty} mapped, ${empty} empty)`,
  );
  reporter.info(`Total OSTree objects found in /boot: ${bootMatches.size}`);
  const root = canonicalizeMappings(rootMappings);
  report(reporter, '/root', root.stats, root.mappings.length);

  const bootExtents = await fileExtents([...bootMatches.keys()]);
  const bootMappings: Mapping[] = [];
  for (const [path, object] of bootMatches) {
    for (const extent of bootExtents.get(path) ?? []) bootMappings.push({ extent, object });
  }
  const boot = canonicalizeMappings(bootMappings);
  report(reporter, '/boot', boot.stats, boot.mappings.length);
  return { boot: boot.mappings, root: root.mappings };
}
