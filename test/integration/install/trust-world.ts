/**
 * The world for the "nothing lost" install tests: the 32 MiB test OS image (512 and 4096-byte
 * sectors) as signed xz, gzip and raw files, one signed by a key that is not trusted, a tiny
 * image and an undecodable one; a loopback HTTP server; an empty system keyring; and loop disks
 * (plain, or holding a finished install). Not a test file itself.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../../src/exec/run.js';
import { createGpgKey, type GpgKey } from '../../helpers/gpg.js';
import { type FaultWorld, createFaultWorld } from '../faults/fixture.js';
import { MIB, buildTestImage } from './fixture.js';

export { MIB };

/** The fault-matrix world (512-byte test image as `raw`, `xz`, `gz`, key, server, empty keyring), plus: */
export interface TrustWorld extends FaultWorld {
  /** A key the installer is never told to trust. */
  otherKey: GpgKey;
  /** Signed (by `key`) image files: xz, 4k xz, raw, gzip; `untrusted` is signed by otherKey. */
  files: { xz: string; xz4k: string; raw: string; gz: string; untrusted: string; tiny: string; garbage: string };
  /** A fresh sparse file of `sizeMiB` MiB in the world's directory. */
  file(name: string, sizeMiB: number): Promise<string>;
}

export async function createTrustWorld(): Promise<TrustWorld> {
  const base = await createFaultWorld();
  const otherKey = createGpgKey('Other <other@example>');
  const img4k = await buildTestImage(base.dir, 4096);
  const xz4k = execFileSync('xz', ['-T1', '-1', '-c'], { input: await readFile(img4k.raw), maxBuffer: 256 * MIB });
  // An xz stream that decodes to half a MiB, and one whose data after the header is random.
  const tiny = execFileSync('xz', ['-T1', '-1', '-c'], { input: base.raw.subarray(0, MIB / 2) });
  const garbage = Buffer.concat([base.xz.subarray(0, 12), randomBytes(64 * 1024)]);
  const untrusted = join(base.dir, 'untrusted.raw.xz');
  await writeFile(untrusted, base.xz);
  await writeFile(`${untrusted}.sig`, otherKey.signBinary(base.xz));
  const files = {
    xz: await base.signedFile('good.raw.xz', base.xz),
    xz4k: await base.signedFile('good4k.raw.xz', xz4k),
    raw: await base.signedFile('good.raw', base.raw),
    gz: await base.signedFile('good.raw.gz', base.gz),
    untrusted,
    tiny: await base.signedFile('tiny.raw.xz', tiny),
    garbage: await base.signedFile('garbage.raw.xz', garbage),
  };
  base.server.route('/img/good.raw', { file: files.raw });
  base.server.route('/img/good.raw.sig', { body: await readFile(`${files.raw}.sig`) });
  base.server.route('/img/good.raw.xz', { file: files.xz });
  base.server.route('/img/good.raw.xz.sig', { body: await readFile(`${files.xz}.sig`) });
  return {
    ...base,
    otherKey,
    files,
    async file(name, sizeMiB) {
      const path = join(base.dir, name);
      await rm(path, { force: true });
      await run('truncate', ['-s', `${sizeMiB}M`, path]);
      return path;
    },
    async dispose() {
      otherKey.dispose();
      await base.dispose();
    },
  };
}

/** Attaches `file` to a loop device (no partition scan unless asked), always detached by name. */
export async function withLoop<T>(
  file: string,
  opts: { sectorSize?: number; readOnly?: boolean; partscan?: boolean },
  fn: (dev: string) => Promise<T>,
): Promise<T> {
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
  await writeFile(`${path}.tmp`, w.raw);
  await run('truncate', ['-s', `${sizeMiB}M`, `${path}.tmp`]);
  await run('sgdisk', ['-e', `${path}.tmp`]); // backup GPT to the end of the larger disk
  await run('mv', [`${path}.tmp`, path]);
  return path;
}
