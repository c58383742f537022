/**
 * Key files that ostree imports into the remote's keyring: the tool's shipped `keys/` dir, the
 * system dir /etc/nestos-installer/keys.d (env NESTOS_INSTALLER_KEYS_DIR overrides it, for
 * tests), and `--trusted-key` files. The same sources as the image install's verification.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';

function shippedKeysDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'keys'))) return join(dir, 'keys');
    dir = dirname(dir);
  }
  return undefined;
}

async function keyFilesIn(dir: string | undefined): Promise<string[]> {
  if (!dir) return [];
  const names = await readdir(dir).catch(() => [] as string[]);
  const files: string[] = [];
  for (const n of names.sort()) {
    if (!/\.(asc|gpg|pgp|pub|key)$/.test(n)) continue;
    const p = join(dir, n);
    if ((await stat(p)).isFile()) files.push(p);
  }
  return files;
}

export async function trustedKeyFiles(extra: readonly string[]): Promise<string[]> {
  for (const f of extra) {
    if (!existsSync(f)) throw new UserError(`trusted key file ${f} does not exist`);
  }
  const system = process.env.NESTOS_INSTALLER_KEYS_DIR ?? '/etc/nestos-installer/keys.d';
  return [...(await keyFilesIn(shippedKeysDir())), ...(await keyFilesIn(system)), ...extra];
}
