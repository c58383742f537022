/** Shared by `iso network` and `pxe network`: keyfile inputs and extraction output. */
import { basename, join } from 'node:path';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { UserError, withContextSync } from '../errors.js';
import { writeStdout } from '../io/stdout-guard.js';

/** Keyfiles keyed by basename; duplicate basenames are refused as upstream. */
export function readKeyfiles(paths: string[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const p of paths) {
    const name = basename(p);
    if (out.has(name)) throw new UserError(`multiple input files named '${name}'`);
    out.set(
      name,
      withContextSync(() => readFileSync(p), `reading ${p}`),
    );
  }
  return out;
}

/** Prints `########## name ##########` sections, or writes `dir/<basename>` (create-new) printing each path. */
export async function emitNetworkFiles(files: Map<string, Buffer>, dir: string | undefined): Promise<void> {
  if (files.size === 0) throw new UserError('No embedded network settings.');
  const entries = [...files.entries()];
  if (dir === undefined) {
    for (const [i, [path, data]] of entries.entries()) {
      if (i > 0) await writeStdout('\n');
      await writeStdout(`########## ${basename(path)} ##########\n`);
      await writeStdout(data);
    }
    return;
  }
  mkdirSync(dir, { recursive: true });
  for (const [path, data] of entries) {
    const out = join(dir, basename(path));
    withContextSync(() => writeFileSync(out, data, { flag: 'wx', mode: 0o600 }), `writing ${out}`);
    await writeStdout(out + '\n');
  }
}
