/** `dev extract initrd [-C dir] [-v] initrd [glob…]`: the one place with path-traversal checks. */
import { dirname, join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { UserError, withContextSync } from '../errors.js';
import { writeStdout } from '../io/stdout-guard.js';
import { globFilter } from '../formats/glob.js';
import { readInitrd } from '../formats/initrd.js';
import { readInputFile } from './input.js';

export function checkMemberPath(p: string): void {
  if (p.startsWith('/') || p.split('/').includes('..')) throw new UserError(`path ${p} contains path traversal`);
}

export async function devExtractInitrd(o: { input?: string; directory?: string; verbose: boolean; globs: string[] }): Promise<void> {
  const bytes = await readInputFile(o.input, 'initrd');
  const files = readInitrd(bytes, globFilter(o.globs));
  for (const p of files.keys()) checkMemberPath(p);
  const root = o.directory ?? '.';
  for (const [p, data] of files) {
    const out = join(root, p);
    mkdirSync(dirname(out), { recursive: true });
    withContextSync(() => writeFileSync(out, data, { flag: 'wx' }), `writing ${out}`);
    if (o.verbose) await writeStdout(out + '\n');
  }
}
