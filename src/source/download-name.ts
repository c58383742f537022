/**
 * The file names a download writes, from the last path segment of the final URL (after
 * redirects), as upstream. The name comes from a server, so it must be a plain file name in
 * the output directory: no `/`, no control characters, not empty, `.` or `..` (also once -d
 * stripped its suffix); anything else is refused before a byte is written.
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { escapeControl, hasControl } from '../stream/terminal-text.js';

/** Upstream's -d rule: only `.gz`/`.xz`, never `.tar.gz`/`.tar.xz`; `.zst` is left alone. */
export function decompressedName(name: string): string | undefined {
  if (name.endsWith('.tar.gz') || name.endsWith('.tar.xz')) return undefined;
  if (name.endsWith('.gz') || name.endsWith('.xz')) return name.slice(0, -3);
  return undefined;
}

export interface DownloadPaths {
  /** Where the verified file ends up. */
  finalPath: string;
  /** Where it is written until verified (locked while in use). */
  partPath: string;
  /** The signature saved beside it (not with -d). */
  sigPath: string;
  /** True when -d applies to this name (the bytes are decompressed on the way). */
  decompressing: boolean;
}

/** Why `name` is not a plain file name, or undefined when it is one. */
function notPlain(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return `'${name}' is not a plain name`;
  if (name.includes('/')) return `'${escapeControl(name)}' contains '/'`;
  if (hasControl(name)) return `'${escapeControl(name)}' contains control characters`;
  return undefined;
}

/** The paths for the artifact at `url` (its final URL) in `directory`; throws on an unsafe name. */
export function downloadPaths(url: string, directory: string, decompress: boolean): DownloadPaths {
  const refuse = (why: string) => new UserError(`refusing to save ${url}: the file name ${why}`);
  const segments = new URL(url).pathname.split('/');
  let name: string;
  try {
    name = decodeURIComponent(segments[segments.length - 1] ?? '');
  } catch {
    throw refuse('is not valid percent-encoding');
  }
  const bad = notPlain(name);
  if (bad) throw refuse(bad);
  const stripped = decompress ? decompressedName(name) : undefined;
  if (stripped !== undefined) {
    const badStripped = notPlain(stripped);
    if (badStripped)
      throw refuse(
        `'${escapeControl(name)}' without its ${name.slice(-3)} suffix (-d) ${badStripped.replace(/^'[^']*' /, '')}`,
      );
  }
  const finalPath = join(directory, stripped ?? name);
  return {
    finalPath,
    partPath: `${finalPath}.part`,
    sigPath: `${finalPath}.sig`,
    decompressing: stripped !== undefined,
  };
}
