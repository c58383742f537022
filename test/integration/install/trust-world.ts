/**
 * The world for the "nothing lost" install tests: the 32 MiB test OS image (512 and 4096-byte
 * sectors) as signed xz, gzip and raw files, one signed by a key that is not trusted, a tiny
 * image and an undecodable one; a loopback HTTP server; an empty system keyring; and loop disks
 * (plain, or holding a finished install). Not a test file itself.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/exec/run.js';
import { createGpgKey, type GpgKey } from '../../helpers/gpg.js';
import { startServer, type TestServer } from '../../helpers/http-server.js';
import { MIB, buildTestImage, type TestImage } from './fixture.js';

export { MIB };

export interface TrustWorld {
  dir: string;
  key: GpgKey;
  /** A key the installer is never told to trust. */
  otherKey: GpgKey;
  pub: string;
  img512: TestImage;
  img4k: TestImage;
  /** Signed (by `key`) image files: xz, 4k xz, raw, gzip; `untrusted` is signed by otherKey. */
  files: { xz: string; xz4k: string; raw: string; gz: string; untrusted: string; tiny: string; garbage: string };
  server: TestServer;
  /** Environment with an empty system keyring and fast retries. */
  env: Record<string, string>;
  /** A fresh sparse file of `sizeMiB` MiB in the world's directory. */
  file(name: string, sizeMiB: number): Promise<string>;
  dispose(): Promise<void>;
}

async function signed(dir: string, key: GpgKey, name: string, bytes: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  await writeFile(`${path}.sig`, key.signBinary(bytes));
  return path;
}

export async function createTrustWorld(): Promise<TrustWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'inst-trust-'));
  const key = createGpgKey();
  const otherKey = createGpgKey('Other <other@example>');
  const pub = join(dir, 'key.pub.asc');
  await writeFile(pub, key.publicArmored);
  const img512 = await buildTestImage(dir, 512);
  const img4k = await buildTestImage(dir, 4096);
  const raw = await readFile(img512.raw);
  const xz = execFileSync('xz', ['-T1', '-1', '-c'], { input: raw, maxBuffer: 256 * MIB });
  const xz4k = execFileSync('xz', ['-T1', '-1', '-c'], { input: await readFile(img4k.raw), maxBuffer: 256 * MIB });
  const gz = execFileSync('gzip', ['-1', '-n', '-c'], { input: raw, maxBuffer: 256 * MIB });
  // An xz stream that decodes to half a MiB, and one whose data after the header is random.
  const tiny = execFileSync('xz', ['-T1', '-1', '-c'], { input: raw.subarray(0, MIB / 2) });
  const garbage = Buffer.concat([xz.subarray(0, 12), randomBytes(64 * 1024)]);
  const files = {
    xz: await signed(dir, key, 'good.raw.xz', xz),
    xz4k: await signed(dir, key, 'good4k.raw.xz', xz4k),
    raw: await signed(dir, key, 'good.raw', raw),
    gz: await signed(dir, key, 'good.raw.gz', gz),
    untrusted: await signed(dir, otherKey, 'untrusted.raw.xz', xz),
    tiny: await signed(dir, key, 'tiny.raw.xz', tiny),
    garbage: await signed(dir, key, 'garbage.raw.xz', garbage),
  };
  const server = await startServer();
  server.route('/img/good.raw', { file: files.raw });
  server.route('/img/good.raw.sig', { body: await readFile(`${files.raw}.sig`) });
  const keysDir = join(dir, 'keys.d');
  await run('mkdir', ['-p', keysDir]);
  return {
    dir,
    key,
    otherKey,
    pub,
    img512,
    img4k,
    files,
    server,
    env: { NESTOS_INSTALLER_KEYS_DIR: keysDir, NESTOS_INSTALLER_RETRY_BASE_MS: '20' },
    async file(name, sizeMiB) {
      const path = join(dir, name);
      await rm(path, { force: true });
      await run('truncate', ['-s', `${sizeMiB}M`, path]);
      return path;
    },
    async dispose() {
      await server.close();
      key.dispose();
      otherKey.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Attaches `file` to a loop device (no partition scan unless asked), always detached by name. */
export async function withLoop<T>(file: string, opts: { sectorSize?: number; readOnly?: boolean; partscan?: boolean }, fn: (dev: string) => Promise<T>): Promise<T> {
  const args = ['--show', '-f'];
  if (opts.sectorSize && opts.sectorSize !== 512) args.push('--sector-size', String(opts.sectorSize));
  if (opts.readOnly) args.push('-r');
  if (opts.partscan) args.push('-P');
  const dev = (await run('losetup', [...args, file])).stdout.trim();
  try {
    return await fn(dev);
  } finally {
    if (opts.partscan) await run('partx', ['-d', dev]).catch(() => undefined);
    await run('losetup', ['-d', dev]).catch(() => undefined);
  }
}

/** A `sizeMiB` disk file holding a finished install of the 512-byte test image (four partitions). */
export async function installedDiskFile(w: TrustWorld, name: string, sizeMiB = 64): Promise<string> {
  const path = await w.file(name, sizeMiB);
  await copyFile(w.img512.raw, `${path}.tmp`);
  await run('truncate', ['-s', `${sizeMiB}M`, `${path}.tmp`]);
  await run('sgdisk', ['-e', `${path}.tmp`]); // backup GPT to the end of the larger disk
  await run('mv', [`${path}.tmp`, path]);
  return path;
}
