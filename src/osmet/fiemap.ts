/**
 * File extents as the kernel's FIEMAP reports them (logical offset in the file, physical
 * offset on the filesystem's device, length), read through `filefrag -v -b1` (e2fsprogs), which
 * issues FS_IOC_FIEMAP with no flags, as upstream's packer does, and prints byte units. Extents
 * that cannot be rebuilt from the file's bytes (inline, tail-packed or unaligned data, encoded,
 * delayed, unwritten, merged or unknown locations) fail the scan, as upstream.
 */
import { UserError } from '../errors.js';
import { run } from '../exec/run.js';
import type { Extent } from './format.js';

/** filefrag's flag names for the FIEMAP flags upstream refuses, with upstream's reasons. */
const REFUSED: Record<string, string> = {
  not_aligned: 'extent not aligned',
  inline: 'extent not aligned',
  tail_packed: 'extent not aligned',
  merged: 'file does not support extents',
  encoded: 'extent encoded',
  delalloc: 'extent not allocated yet',
  unwritten: 'extent preallocated',
  unknown_loc: 'extent inaccessible',
};

const EXTENT_LINE = /^\s*\d+:\s*(\d+)\.\.\s*\d+:\s*(\d+)\.\.\s*\d+:\s*(\d+):\s*(?:\d+:)?\s*(\S*)\s*$/;
/** Paths per filefrag run: few processes, command lines far below the kernel's limit. */
const BATCH = 256;

/** Parses `filefrag -v -b1` output for `paths` (in order) into extents per path. */
export function parseFilefrag(text: string, paths: readonly string[]): Map<string, Extent[]> {
  const out = new Map<string, Extent[]>();
  const lines = text.split('\n');
  let i = 0;
  for (const path of paths) {
    const head = `File size of ${path} is `;
    while (i < lines.length && !lines[i]!.startsWith(head)) i++;
    if (i === lines.length) throw new UserError(`filefrag printed no extents for ${path}`);
    i++;
    const extents: Extent[] = [];
    const footer = `${path}: `;
    for (; i < lines.length && !lines[i]!.startsWith(footer); i++) {
      const line = lines[i]!;
      if (/^\s*ext:\s+logical_offset:/.test(line) || line.trim() === '') continue;
      const m = EXTENT_LINE.exec(line);
      if (!m) throw new UserError(`unexpected filefrag output for ${path}: '${line.trim()}'`);
      for (const flag of m[4]!.split(',')) {
        const why = REFUSED[flag];
        if (why) throw new UserError(`${path}: ${why}`);
      }
      extents.push({ logical: Number(m[1]), physical: Number(m[2]), length: Number(m[3]) });
    }
    if (i === lines.length) throw new UserError(`filefrag output for ${path} is incomplete`);
    if (!/ extents? found$/.test(lines[i]!)) throw new UserError(`${path}: ${lines[i]!.slice(footer.length)}`);
    out.set(path, extents);
  }
  return out;
}

/** The extents of each regular file in `paths`, in the files' logical order. */
export async function fileExtents(paths: readonly string[]): Promise<Map<string, Extent[]>> {
  const out = new Map<string, Extent[]>();
  for (let start = 0; start < paths.length; start += BATCH) {
    const batch = paths.slice(start, start + BATCH);
    const { stdout } = await run('filefrag', ['-v', '-b1', ...batch]);
    for (const [p, e] of parseFilefrag(stdout, batch)) out.set(p, e);
  }
  return out;
}
