/**
 * Long zero runs of an image are zeroed by the kernel (fallocate) instead of written: the
 * destination must still read back exactly as the image, over a loop device and an existing file
 * (a GPT disk image) that both start full of random bytes; the file gets holes. And when
 * fallocate cannot do it, the zeros are written instead.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { ZeroRuns } from '../../../src/disk/zero-runs.js';
import type { Target } from '../../../src/disk/target.js';
import { createGpgKey, type GpgKey } from '../../helpers/gpg.js';
import { runCli } from '../../helpers/cli.js';
import { MIB, buildTestImage, compress, readGptOfFile, sha256, type TestImage } from './fixture.js';

let dir: string;
let key: GpgKey;
let pub: string;
let image: TestImage;
let xz: string;
const IMAGE_SIZE = 96 * MIB;
const TARGET_SIZE = 128 * MIB;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zero-runs-'));
  key = createGpgKey();
  pub = join(dir, 'key.pub.asc');
  await writeFile(pub, key.publicArmored);
  image = await buildTestImage(dir, 512);
  // 32 MiB of partitions, then ~64 MiB of zeros before the backup GPT at the new end.
  await run('truncate', ['-s', String(IMAGE_SIZE), image.raw]);
  await run('sgdisk', ['-e', image.raw]);
  image = { ...image, size: IMAGE_SIZE };
  xz = await compress(image.raw, 'xz');
  await writeFile(`${xz}.sig`, key.signBinary(await readFile(xz)));
});

after(async () => {
  key?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** From the root partition to the image's end: the root data, the long zero run, the backup GPT. */
async function tailRange(): Promise<{ start: number; end: number }> {
  const gpt = await readGptOfFile(image.raw, 512);
  const root = gpt.entries.find((e) => e.name === 'root')!;
  return { start: root.firstLba * 512, end: IMAGE_SIZE };
}

async function randomFile(path: string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    for (let off = 0; off < TARGET_SIZE; off += 8 * MIB) await fh.write(randomBytes(8 * MIB), 0, 8 * MIB, off);
  } finally {
    await fh.close();
  }
}

async function assertTailMatchesImage(path: string): Promise<void> {
  const { start, end } = await tailRange();
  const want = (await readFile(image.raw)).subarray(start, end);
  const fh = await open(path, 'r');
  try {
    const got = Buffer.alloc(end - start);
    await fh.read(got, 0, got.length, start);
    assert.equal(sha256(got), sha256(want), 'the destination reads back as the image, zero run included');
  } finally {
    await fh.close();
  }
}

test('a loop device full of random bytes reads back as the image, zero run included', async () => {
  const file = join(dir, 'disk.img');
  await randomFile(file);
  const dev = (await run('losetup', ['--show', '-f', file])).stdout.trim();
  try {
    const r = await runCli(['install', dev, '-f', xz, '--trusted-key', pub]);
    assert.equal(r.code, 0, r.stderr);
    await assertTailMatchesImage(dev);
  } finally {
    await run('losetup', ['-d', dev]).catch(() => undefined);
  }
});

test('an existing file target gets holes where the image is zero, and reads back as the image', async () => {
  const file = join(dir, 'vm.img');
  await randomFile(file);
  // A disk image (a file target must already hold one, or be empty or zeroed): a GPT, random data.
  await run('sgdisk', ['-o', file]);
  const r = await runCli(['install', file, '-f', xz, '--trusted-key', pub]);
  assert.equal(r.code, 0, r.stderr);
  await assertTailMatchesImage(file);
  const st = await stat(file);
  assert.equal(st.size, TARGET_SIZE, 'an existing file keeps its size');
  assert.ok(st.blocks * 512 <= TARGET_SIZE - 48 * MIB, `holes punched: ${st.blocks * 512} bytes allocated`);
});

test('an empty file target ends at the image size even when the image ends in zeros', async () => {
  const file = join(dir, 'new.img');
  await writeFile(file, '');
  const r = await runCli(['install', file, '-f', xz, '--trusted-key', pub]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await stat(file)).size, IMAGE_SIZE);
  await assertTailMatchesImage(file);
});

test('when fallocate fails, the zero run is written instead', async () => {
  const file = join(dir, 'fallback.img');
  await writeFile(file, randomBytes(6 * MIB));
  const handle = await open(file, 'r+');
  try {
    // fallocate is pointed at a path that does not exist; the writes go to the open handle.
    const target: Target = {
      path: join(dir, 'no-such-file'),
      kind: 'file',
      sectorSize: 512,
      size: 6 * MIB,
      limit: 6 * MIB,
      created: false,
      wrote: false,
      identity: { dev: 0, ino: 0, rdev: 0 },
      handle,
    };
    const zeros = new ZeroRuns(target, MIB);
    await zeros.add(MIB, 2 * MIB);
    await zeros.add(3 * MIB, 2 * MIB);
    await zeros.drain();
  } finally {
    await handle.close();
  }
  const data = await readFile(file);
  assert.ok(data.subarray(MIB, 5 * MIB).equals(Buffer.alloc(4 * MIB)), 'the run is zeros');
  assert.ok(
    !data.subarray(0, MIB).equals(Buffer.alloc(MIB)) && !data.subarray(5 * MIB).equals(Buffer.alloc(MIB)),
    'outside the run untouched',
  );
});
