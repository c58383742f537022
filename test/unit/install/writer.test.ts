/**
 * The image writer on a file target, fed the way the decoders feed it: chunks lent from memory
 * that is reused as soon as consume() returned or its promise settled. Whole 1 MiB chunks at a
 * block boundary are written from the lender's memory (page-aligned ones with O_DIRECT), the
 * rest is gathered into the writer's own block; either way the disk must hold exactly the image,
 * with the first MiB written last.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { inspectTarget, openTarget } from '../../../src/disk/target.js';
import { ImageWriter } from '../../../src/install/writer.js';
import { alignedBuffer } from '../../../src/io/aligned-memory.js';
import { createReporter } from '../../../src/report.js';
import { useScratchDir } from '../../helpers/scratch-dir.js';

const MIB = 1024 * 1024;
const reporter = createReporter({ tty: false, stream: { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream });
const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const scratch = useScratchDir('writer-');

// First MiB, then dense MiBs, an all-zero stretch (zeroed, not written), and a short tail.
const image = Buffer.concat([randomBytes(MIB), randomBytes(3 * MIB), Buffer.alloc(2 * MIB), randomBytes(MIB), randomBytes(5000)]);

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
