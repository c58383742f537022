/** Skip-or-fail policy for tests that need build/images (skip locally, fail under CI). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { IMAGES_DIR } from '../../helpers/paths.js';

/** Returns the absolute paths, or undefined after marking the test skipped (never under CI). */
export function needImages(t: TestContext, ...names: string[]): string[] | undefined {
  const paths = names.map((n) => join(IMAGES_DIR, n));
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length === 0) return paths;
  const msg = `missing sample images (${missing.join(', ')}); run npm run images`;
  if (process.env.CI) throw new Error(msg);
  t.skip(msg);
  return undefined;
}
