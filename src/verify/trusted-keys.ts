/**
 * Where trusted OpenPGP keys come from, for the image install's signature check and the keyring
 * ostree imports alike: the tool's shipped `keys/` directory, the system directory
 * /etc/nestos-installer/keys.d/ (env NESTOS_INSTALLER_KEYS_DIR overrides it), and any
 * `--trusted-key` files. In a directory, files named `*.asc|gpg|pgp|pub|key` (any case) count.
 */
import { access, readdir, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { shippedPath } from '../package-root.js';

export const SYSTEM_KEYS_DIR = '/etc/nestos-installer/keys.d';
const KEY_FILE = /\.(asc|gpg|pgp|pub|key)$/i;

/** The repo `keys/` directory shipped with the tool. */
export function shippedKeysDir(): string | undefined {
  return shippedPath('keys');
}

async function keyFilesIn(dir: string | undefined): Promise<string[]> {
  if (dir === undefined) return [];
  // A missing directory (no system keys configured) holds no keys.
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw new UserError(`reading trusted keys directory ${dir}`, { cause: err });
  });
  const files: string[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (KEY_FILE.test(name) && (await stat(path)).isFile()) files.push(path);
  }
  return files;
}

/** Every trusted key file in order: shipped, system, then `--trusted-key` (each must be readable). */
export async function trustedKeyFiles(extra: readonly string[]): Promise<string[]> {
  for (const file of extra) {
    await access(file, constants.R_OK).catch((err: unknown) => {
      throw new UserError(`reading trusted key ${file}`, { cause: err });
    });
  }
  const system = process.env.NESTOS_INSTALLER_KEYS_DIR ?? SYSTEM_KEYS_DIR;
  return [...(await keyFilesIn(shippedKeysDir())), ...(await keyFilesIn(system)), ...extra];
}
