/**
 * A directory as the tests compare it before and after a run: every entry's name, type, mode,
 * and bytes (as sha256) or symlink target. Equal snapshots mean nothing was created, removed,
 * written or re-moded.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export type Snapshot = Record<string, string>;

export function snapshot(dir: string): Snapshot {
  const out: Snapshot = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = lstatSync(path);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out[name] = `symlink -> ${readlinkSync(path)}`;
    else if (st.isDirectory()) out[name] = `dir ${mode}`;
    else out[name] = `file ${mode} ${st.size} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
  }
  return out;
}
