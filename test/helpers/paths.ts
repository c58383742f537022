/** Where things are, independent of the compiled output directory. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the repository root above ${start}`);
    dir = parent;
  }
}

export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
/**
 * The CLI under test: the compiled entry next to this compiled helper (works for any tsc outDir),
 * or what NESTOS_INSTALLER_MAIN names (`npm test` sets it to the shipped bundle, dist/cli/main.js).
 */
export const MAIN_JS =
  process.env.NESTOS_INSTALLER_MAIN || fileURLToPath(new URL('../../src/main.js', import.meta.url));
/** Sample OS build output (images/build.sh). */
export const IMAGES_DIR = process.env.NESTOS_IMAGES_DIR ?? join(REPO_ROOT, 'build/images');
