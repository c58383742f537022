/**
 * A scratch directory for one test file, under the repository's build/ tree: the file system
 * the repository lives on, where O_DIRECT works (a tmpfs /tmp may refuse it). Made before the
 * file's tests, removed after them.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { REPO_ROOT } from './paths.js';

/** Registers the hooks; the returned function gives the directory (once the tests run). */
export function useScratchDir(prefix: string): () => string {
  let dir: string | undefined;
  before(async () => {
    await mkdir(join(REPO_ROOT, 'build'), { recursive: true });
    dir = await mkdtemp(join(REPO_ROOT, 'build', prefix));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error('scratch directory used outside a test');
    return dir;
  };
}
