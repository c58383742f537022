/**
 * The image writer on a file target, fed the way the decoders feed it: chunks lent from memory
 * that is reused as soon as consume() returned or its promise settled. Whole 1 MiB chunks at a
 * block boundary are written from the lender's memory (page-aligned ones with O_DIRECT), the
 * rest is gathered into the writer's own block; either way the disk must hold exactly the image,
 * with the first MiB written last, only after the verdict. Zero blocks read back as zeros over
 * old data (long runs punched out of a file), a failed write names the target and the offset,
 * and a failure before the image's first MiB is complete leaves the target untouched
 * (`target.wrote` stays false).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { inspectTarget, openTarget, type Target } from '../../../src/disk/target.js';
import { ImageWriter } from '../../../src/install/writer.js';
import { alignedBuffer } from '../../../src/io/aligned-memory.js';
import { createReporter } from '../../../src/report.js';
import { useScratchDir } from '../../helpers/scratch-dir.js';
import { runTool } from '../../helpers/system-tool.js';

const MIB = 1024 * 1024;
const reporter = createReporter({
  tty: false,
  stream: { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream,
});
const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const scratch = useScratchDir('writer-');

// First MiB, then dense MiBs, an all-zero stretch (zeroed, not written), and a short tail.
const image = Buffer.concat([
  randomBytes(MIB),
  randomBytes(3 * MIB),
  Buffer.alloc(2 * MIB),
  randomBytes(MIB),
  randomBytes(5000),
]);

/** Feeds `image` in `size`-byte pieces copied into one reused lending buffer, then finishes. */
async function install(name: string, size: number, lender: Buffer): Promise<Buffer> {
  const path = join(scratch(), name);
  const target = await openTarget(await inspectTarget(path, { destSize: 10 * MIB }), 10 * MIB);
  try {
    const writer = new ImageWriter({ target, reporter });
    for (let pos = 0; pos < image.length; pos += size) {
      const n = image.copy(lender, 0, pos, pos + size);
      await writer.consume(lender.subarray(0, n));
      lender.fill(0xa5); // the lender reuses its memory: the writer must be done with it
    }
    const result = await writer.finish(async () => undefined);
    assert.equal(result.bytes, image.length);
  } finally {
    await target.handle.close();
  }
  return readFile(path);
}

for (const [what, size, lender] of [
  ['whole page-aligned 1 MiB chunks', MIB, alignedBuffer(MIB)],
  ['whole 1 MiB chunks of ordinary memory', MIB, Buffer.alloc(MIB)],
  ['odd-sized chunks', 65_537, alignedBuffer(65_537)],
] as const) {
  test(`${what}: the disk holds exactly the image`, async () => {
    const disk = await install(what.replace(/\W+/g, '-'), size, lender);
    assert.equal(digest(disk.subarray(0, image.length)), digest(image));
    assert.deepEqual(disk.subarray(image.length), Buffer.alloc(10 * MIB - image.length));
  });
}

test('after abandon(), a chunk still on its way is refused and nothing more reaches the disk', async () => {
  const path = join(scratch(), 'abandoned.img');
  const target = await openTarget(await inspectTarget(path, { destSize: 4 * MIB }), 4 * MIB);
  try {
    const writer = new ImageWriter({ target, reporter });
    const block = alignedBuffer(MIB);
    await writer.consume(block.fill(1)); // the first MiB: withheld
    await writer.consume(block.fill(2)); // written at 1 MiB
    await writer.abandon();
    await assert.rejects(async () => writer.consume(block.fill(3)), /image writer stopped after a failure/);
    const disk = await readFile(path);
    assert.deepEqual(disk.subarray(MIB, 2 * MIB), Buffer.alloc(MIB, 2));
    assert.deepEqual(disk.subarray(2 * MIB), Buffer.alloc(2 * MIB));
  } finally {
    await target.handle.close();
  }
});

/** An existing file of `size` bytes, all `fill`, opened as an install target. */
async function filledTarget(path: string, size: number, fill = 0xa5): Promise<Target> {
  await writeFile(path, Buffer.alloc(size, fill));
  return openTarget(await inspectTarget(path), undefined);
}

/** A first MiB of random bytes with a GPT header signature in the sector of that size. */
function firstMiBWithGpt(sectorSize: 512 | 4096): Buffer {
  const first = randomBytes(MIB);
  first.write('EFI PART', sectorSize, 'latin1');
  return first;
}

/** Feeds `data` in `size`-byte pieces (copies: the writer may keep none of them). */
async function feed(writer: ImageWriter, data: Buffer, size = 65_537): Promise<void> {
  for (let pos = 0; pos < data.length; pos += size) await writer.consume(Buffer.from(data.subarray(pos, pos + size)));
}

test('the first MiB reaches the disk only after the verdict: until then it is zeros and the rest is written', async () => {
  const path = join(scratch(), 'order.img');
  const target = await filledTarget(path, 8 * MIB);
  const body = randomBytes(3 * MIB + 777);
  const img = Buffer.concat([firstMiBWithGpt(512), body]);
  try {
    const writer = new ImageWriter({ target, reporter });
    await feed(writer, img);
    let during: Buffer | undefined;
    const result = await writer.finish(async () => {
      during = await readFile(path);
    });
    assert.ok(during);
    assert.deepEqual(during.subarray(0, MIB), Buffer.alloc(MIB), 'the first MiB while the image is verified');
    assert.equal(digest(during.subarray(MIB, img.length)), digest(body), 'the rest before the verdict');
    const disk = await readFile(path);
    assert.equal(digest(disk.subarray(0, img.length)), digest(img));
    assert.deepEqual(disk.subarray(img.length), Buffer.alloc(8 * MIB - img.length, 0xa5), 'past the image: untouched');
    assert.deepEqual(result, { bytes: img.length, imageSectorSize: 512 });
    assert.equal(target.wrote, true);
  } finally {
    await target.handle.close();
  }
});

test("a failed verdict leaves the placeholder: the image's first MiB never reaches the disk", async () => {
  const path = join(scratch(), 'unverified.img');
  const target = await filledTarget(path, 4 * MIB);
  const img = Buffer.concat([firstMiBWithGpt(512), randomBytes(2 * MIB)]);
  try {
    const writer = new ImageWriter({ target, reporter });
    await feed(writer, img);
    await assert.rejects(
      writer.finish(async () => {
        throw new Error('signature does not match');
      }),
      /^Error: signature does not match$/,
    );
    const disk = await readFile(path);
    assert.deepEqual(disk.subarray(0, MIB), Buffer.alloc(MIB));
    assert.equal(digest(disk.subarray(MIB, img.length)), digest(img.subarray(MIB)));
  } finally {
    await target.handle.close();
  }
});

test('zero blocks read back as zeros over old data: a short run is written, a long one punched out of the file', async () => {
  const path = join(scratch(), 'zeros.img');
  const size = 26 * MIB;
  const target = await filledTarget(path, size);
  // Data, a 2 MiB zero run (written), data, a 20 MiB zero run (fallocate --punch-hole), data.
  const img = Buffer.concat([
    firstMiBWithGpt(512),
    randomBytes(MIB),
    Buffer.alloc(2 * MIB),
    randomBytes(MIB),
    Buffer.alloc(20 * MIB),
    randomBytes(MIB),
  ]);
  try {
    const writer = new ImageWriter({ target, reporter });
    await feed(writer, img, MIB);
    assert.equal((await writer.finish(async () => undefined)).bytes, size);
  } finally {
    await target.handle.close();
  }
  const disk = await readFile(path);
  assert.equal(disk.length, size);
  assert.deepEqual(disk.subarray(2 * MIB, 4 * MIB), Buffer.alloc(2 * MIB), 'the short run');
  assert.deepEqual(disk.subarray(5 * MIB, 25 * MIB), Buffer.alloc(20 * MIB), 'the long run');
  assert.equal(digest(disk), digest(img));
  const allocated = (await stat(path)).blocks * 512;
  assert.ok(allocated <= size - 16 * MIB, `the long run is a hole: ${allocated} bytes allocated of ${size}`);
});

test('a failed write names the target and the offset it failed at, with the errno kept as the cause', async () => {
  // A tmpfs of 4 MiB + 64 KiB under a 16 MiB sparse file: the write of the block at 4 MiB finds
  // room for 64 KiB of it and fails there, mid-block.
  const dir = join(scratch(), 'small-fs');
  await mkdir(dir);
  runTool('mount', ['-t', 'tmpfs', '-o', 'size=4160k', 'tmpfs', dir]);
  try {
    const path = join(dir, 'full.img');
    const target = await openTarget(await inspectTarget(path, { destSize: 16 * MIB }), 16 * MIB);
    const writer = new ImageWriter({ target, reporter });
    try {
      const img = Buffer.concat([firstMiBWithGpt(512), randomBytes(6 * MIB)]);
      const err = await feed(writer, img, MIB).then(
        () => assert.fail('the writes past 4 MiB + 64 KiB must fail'),
        (e: unknown) => e as Error & { cause?: NodeJS.ErrnoException },
      );
      assert.equal(err.message, `writing ${path} at offset ${4 * MIB + 64 * 1024}: No space left on device`);
      assert.equal(err.cause?.code, 'ENOSPC');
    } finally {
      await writer.abandon();
      await target.handle.close();
    }
  } finally {
    runTool('umount', [dir]);
  }
});

test("nothing is written before the image's first MiB is complete; then the placeholder goes first", async () => {
  const path = join(scratch(), 'first-mib.img');
  const target = await filledTarget(path, 4 * MIB);
  try {
    const writer = new ImageWriter({ target, reporter });
    const img = Buffer.concat([firstMiBWithGpt(512), randomBytes(MIB)]);
    await writer.consume(Buffer.from(img.subarray(0, MIB - 1)));
    assert.equal(target.wrote, false);
    assert.deepEqual(await readFile(path), Buffer.alloc(4 * MIB, 0xa5));
    await writer.consume(Buffer.from(img.subarray(MIB - 1, MIB)));
    assert.equal(target.wrote, true);
    assert.deepEqual((await readFile(path)).subarray(0, MIB), Buffer.alloc(MIB), 'the placeholder');
  } finally {
    await target.handle.close();
  }
});

for (const [what, img, cause] of [
  ['an image shorter than 1 MiB', randomBytes(100_000), /^UserError: decoding first MiB of image$/],
  [
    'an image of 4096-byte sectors for a 512-byte target',
    Buffer.concat([firstMiBWithGpt(4096), randomBytes(MIB)]),
    /^UserError: source has sector size 4096 but destination has sector size 512$/,
  ],
] as const) {
  test(`${what} fails with the target untouched and target.wrote false`, async () => {
    const path = join(scratch(), `${what.replace(/\W+/g, '-')}.img`);
    const target = await filledTarget(path, 4 * MIB);
    try {
      const writer = new ImageWriter({ target, reporter });
      await assert.rejects(async () => {
        await feed(writer, img);
        await writer.finish(async () => undefined);
      }, cause);
      assert.equal(target.wrote, false);
      assert.deepEqual(await readFile(path), Buffer.alloc(4 * MIB, 0xa5));
    } finally {
      await target.handle.close();
    }
  });
}
