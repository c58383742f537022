/**
 * This tool's version (package.json's `version`), recorded as the writer version in the files
 * it packs (osmet files, miniso.dat), where upstream records its own.
 */
import { readFileSync } from 'node:fs';
import { shippedPath } from './package-root.js';

let cached: string | undefined;

export function appVersion(): string {
  if (cached !== undefined) return cached;
  const pkg = shippedPath('package.json');
  const version =
    pkg === undefined ? undefined : (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: unknown }).version;
  cached = typeof version === 'string' ? version : 'unknown';
  return cached;
}
