/**
 * Sample images (build/images) for tests. A missing image fails the test: a run that cannot
 * build them must say so with NESTOS_ALLOW_MISSING_IMAGES=1, and only then are such tests
 * skipped. Each test gets its own snapshot of what it names, in a temp directory removed after
 * the test: hard links (the build replaces its outputs by rename, so a linked file never
 * changes) or copies across filesystems. A rebuild while the test runs cannot change its inputs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { IMAGES_DIR } from '../../helpers/paths.js';

/** Whether the run explicitly allows tests to skip when the sample images are missing. */
export function missingImagesAllowed(): boolean {
  return process.env.NESTOS_ALLOW_MISSING_IMAGES === '1';
}

/** Copies (hard links where possible) `names` from build/images into a fresh directory. */
export function snapshotImages(names: readonly string[]): { dir: string; paths: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'images-snapshot-'));
  try {
    for (const name of names) {
      const from = join(IMAGES_DIR, name);
      try {
        execFileSync('cp', ['-a', '--link', from, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
      } catch {
        execFileSync('cp', ['-a', '--reflink=auto', '--sparse=always', from, dir], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
      }
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, paths: names.map((n) => join(dir, n)) };
}

/**
 * Returns the paths of a private snapshot of `names` (removed after the test), or undefined
 * after marking the test skipped — only when NESTOS_ALLOW_MISSING_IMAGES=1 and one is missing.
 */
export function needImages(t: TestContext, ...names: string[]): string[] | undefined {
  const missing = names.filter((n) => !existsSync(join(IMAGES_DIR, n)));
  if (missing.length > 0) {
    const msg = `missing sample images in ${IMAGES_DIR} (${missing.join(', ')}); run npm run images`;
    if (!missingImagesAllowed())
      throw new Error(`${msg}, or set NESTOS_ALLOW_MISSING_IMAGES=1 to skip the tests that need them`);
    t.skip(msg);
    return undefined;
  }
  const snap = snapshotImages(names);
  t.after(() => rmSync(snap.dir, { recursive: true, force: true }));
  return snap.paths;
}
