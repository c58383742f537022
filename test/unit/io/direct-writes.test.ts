/**
 * O_DIRECT block writes to an install target: page-aligned blocks go through a descriptor opened
 * with O_DIRECT on the target's own file and land byte-exact; anything else (ordinary Buffer
 * memory, an unaligned offset, after close) is declined, unwritten, for the caller's ordinary
 * write. The file lives on the file system of the repository's build tree.
 */
import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { inspectTarget, openTarget, type Target } from '../../../src/disk/target.js';
import { alignedBuffer, isPageAligned } from '../../../src/io/aligned-memory.js';
import { DirectWrites } from '../../../src/io/direct-writes.js';
import { useScratchDir } from '../../helpers/scratch-dir.js';

const MIB = 1024 * 1024;
const scratch = useScratchDir('direct-writes-');

async function fileTarget(name: string): Promise<Target> {
  const path = join(scratch(), name);
  return openTarget(await inspectTarget(path, { destSize: 4 * MIB }), 4 * MIB);
}

/** The open flags of every descriptor of this process on `path` (from /proc/self/fdinfo). */
async function openFlags(path: string): Promise<number[]> {
  const flags: number[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const link = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (link !== path) continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8').catch(() => '');
    const m = /^flags:\s+([0-7]+)$/m.exec(info);
    if (m) flags.push(parseInt(m[1]!, 8));
  }
  return flags;
}

test('alignedBuffer memory is recognised as page-aligned; ordinary Buffers and odd offsets are not', () => {
  const buf = alignedBuffer(2 * MIB);
  assert.equal(buf.length, 2 * MIB);
  assert.ok(isPageAligned(buf));
  assert.ok(isPageAligned(buf.subarray(MIB)));
  assert.ok(!isPageAligned(buf.subarray(512)));
  assert.ok(!isPageAligned(buf.subarray(0, MIB + 1)));
  assert.ok(!isPageAligned(Buffer.alloc(MIB)));
});

test('page-aligned blocks are written with O_DIRECT and land byte-exact; the memory is free again once written', async () => {
  const target = await fileTarget('direct.img');
  const direct = new DirectWrites(target);
  try {
    const block = alignedBuffer(MIB);
    const expected: Buffer[] = [];
    for (let i = 0; i < 3; i++) {
      block.fill(0x41 + i);
      assert.equal(await direct.write(block, MIB * (i + 1)), true, `block ${i}`);
      expected.push(Buffer.from(block));
      block.fill(0xee); // the lender reuses its memory: what was written must not change
    }
    assert.ok(
      (await openFlags(target.path)).some((f) => (f & constants.O_DIRECT) !== 0),
      'no O_DIRECT descriptor on the target',
    );
    await direct.close();
    await target.handle.sync();
    const disk = await readFile(target.path);
    assert.deepEqual(disk.subarray(MIB, 4 * MIB), Buffer.concat(expected));
    assert.deepEqual(disk.subarray(0, MIB), Buffer.alloc(MIB));
  } finally {
    await direct.close();
    await target.handle.close();
  }
});

test('ordinary memory, an unaligned offset, and a closed writer are declined and write nothing', async () => {
  const target = await fileTarget('declined.img');
  const direct = new DirectWrites(target);
  try {
    assert.equal(await direct.write(Buffer.alloc(MIB, 1), MIB), false);
    assert.equal(await direct.write(alignedBuffer(MIB).fill(2), MIB + 512), false);
    await direct.close();
    assert.equal(await direct.write(alignedBuffer(MIB).fill(3), MIB), false);
    assert.deepEqual(await readFile(target.path), Buffer.alloc(4 * MIB));
  } finally {
    await target.handle.close();
  }
});

test('a block written past the end of a growing file target extends its recorded size', async () => {
  const path = join(scratch(), 'growing.img');
  const target = await openTarget(await inspectTarget(path, {}), undefined);
  const direct = new DirectWrites(target);
  try {
    assert.equal(target.size, 0);
    assert.equal(await direct.write(alignedBuffer(MIB).fill(9), 2 * MIB), true);
    assert.equal(target.size, 3 * MIB);
    await direct.close();
    const disk = await readFile(path);
    assert.equal(disk.length, 3 * MIB);
    assert.deepEqual(disk.subarray(2 * MIB), Buffer.alloc(MIB, 9));
  } finally {
    await direct.close();
    await target.handle.close();
  }
});
