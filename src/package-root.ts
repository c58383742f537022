/**
 * The installed tool's own directory (the nearest ancestor of this module holding package.json):
 * where its shipped files live — `package.json` (the version), `keys/` (the shipped trusted
 * keys) and `libexec/` (programs other tools run on the installer's behalf). The same answer
 * from `src/`, `dist/src/` and the `dist/cli/` bundle.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null | undefined;

/** The tool's directory, or undefined when this module runs outside of it. */
export function packageRoot(): string | undefined {
  if (cached !== undefined) return cached ?? undefined;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  cached = null;
  return undefined;
}

/** A shipped file or directory (`keys`, `libexec/...`), or undefined when it is not there. */
export function shippedPath(relative: string): string | undefined {
  const root = packageRoot();
  const path = root === undefined ? undefined : join(root, relative);
  return path !== undefined && existsSync(path) ? path : undefined;
}
