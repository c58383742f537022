/**
 * Signed xz test images for the install tests that run the CLI against loop devices and files:
 * registers hooks that build the images (512 and/or 4096-byte sectors) in a world-readable
 * scratch directory, sign them with a throwaway gpg key and write an Ignition config beside them;
 * plus a loop device without partition scanning and the boot partition's offset.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { createGpgKey, type GpgKey } from '../../helpers/gpg.js';
import { buildTestImage, compress, readGptOfFile, type TestImage } from './fixture.js';

export const IGNITION = Buffer.from('{"ignition":{"version":"3.3.0"}}\n');

export interface SignedImages {
  dir: string;
  key: GpgKey;
  /** The armored public key's path (for --trusted-key). */
  pub: string;
  /** `<dir>/config.ign`, holding IGNITION. */
  ignition: string;
  /** The raw image of that sector size; `${raw}.xz` and `${raw}.xz.sig` are beside it. */
  image(sectorSize: 512 | 4096): TestImage;
}

/**
 * Registers the hooks; the returned function gives the images once the tests run. `ready` runs
 * in the same hook once they are built (top-level hooks of a file do not wait for each other).
 */
export function useSignedImages(
  prefix: string,
  sectorSizes: Array<512 | 4096>,
  ready?: (images: SignedImages) => Promise<void>,
): () => SignedImages {
  let images: SignedImages | undefined;
  let dir: string | undefined;
  let key: GpgKey | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    await chmod(dir, 0o755);
    key = createGpgKey();
    const pub = join(dir, 'key.pub.asc');
    await writeFile(pub, key.publicArmored);
    const built = new Map<number, TestImage>();
    for (const ss of sectorSizes) {
      const img = await buildTestImage(dir, ss);
      const xz = await compress(img.raw, 'xz');
      await writeFile(`${xz}.sig`, key.signBinary(await readFile(xz)));
      built.set(ss, img);
    }
    const ignition = join(dir, 'config.ign');
    await writeFile(ignition, IGNITION);
    const image = (ss: 512 | 4096) => {
      const img = built.get(ss);
      if (!img) throw new Error(`no ${ss}-byte-sector image was asked for`);
      return img;
    };
    images = { dir, key, pub, ignition, image };
    await ready?.(images);
  });
  after(async () => {
    key?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!images) throw new Error('signed images used outside a test');
    return images;
  };
}

/** Runs `fn` with `file` on a loop device of that sector size (no partition scan), detached after. */
export async function withLoop<T>(file: string, ss: 512 | 4096, fn: (dev: string) => Promise<T>): Promise<T> {
  const dev = (
    await run('losetup', ['--show', '-f', ...(ss === 4096 ? ['--sector-size', '4096'] : []), file])
  ).stdout.trim();
  try {
    return await fn(dev);
  } finally {
    // A detach that fails must not hide the test's own outcome.
    await run('losetup', ['-d', dev]).catch(() => undefined);
  }
}

/** The byte offset of the partition labelled `boot` in an image file. */
export async function bootOffset(file: string, ss: number): Promise<number> {
  return (await readGptOfFile(file, ss)).entries.find((e) => e.name === 'boot')!.firstLba * ss;
}
