/**
 * The xz index reader against xz itself: single and multi-block streams, concatenated streams
 * with stream padding, an empty stream; and inconsistent files (truncated, a flipped byte in
 * the index or footer, padding that is not a multiple of four) refused rather than trusted.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { xzUncompressedSize } from '../../../src/formats/xz-index.js';
import { runTool } from '../../helpers/system-tool.js';

const xz = (data: Buffer, ...args: string[]) => runTool('xz', ['-c', '-T1', ...args], { input: data });
const sizeOf = (file: Buffer) => xzUncompressedSize(async (len, pos) => file.subarray(pos, pos + len), file.length);

const data = Buffer.concat([randomBytes(300_000), Buffer.alloc(2_000_000), randomBytes(77)]);

test('one stream, one block', async () => {
  assert.equal(await sizeOf(xz(data, '-1')), data.length);
});

test('one stream, many blocks', async () => {
  assert.equal(await sizeOf(xz(data, '-0', '--block-size=65536')), data.length);
});

test('concatenated streams with stream padding between and after them', async () => {
  const file = Buffer.concat([xz(data, '-1'), Buffer.alloc(8), xz(data.subarray(0, 1000), '-1'), Buffer.alloc(4)]);
  assert.equal(await sizeOf(file), data.length + 1000);
});

test('an empty stream is zero bytes', async () => {
  assert.equal(await sizeOf(xz(Buffer.alloc(0))), 0);
});

test('inconsistent files are refused', async () => {
  const good = xz(data, '-0', '--block-size=65536');
  const flip = (at: number) => {
    const b = Buffer.from(good);
    b[at] = b[at]! ^ 0x01;
    return b;
  };
  await assert.rejects(sizeOf(good.subarray(0, good.length - 4)), /reading xz index: /);
  await assert.rejects(sizeOf(flip(good.length - 9)), /reading xz index: stream footer CRC32 mismatch/);
  await assert.rejects(sizeOf(flip(good.length - 14)), /reading xz index: index CRC32 mismatch/);
  await assert.rejects(
    sizeOf(Buffer.concat([good, Buffer.alloc(2)])),
    /no xz stream footer at the end of the file \(truncated, or other data after the xz stream\)/,
  );
  await assert.rejects(
    sizeOf(Buffer.concat([good, Buffer.from('junk')])),
    /no xz stream footer at the end of the file/,
  );
  await assert.rejects(sizeOf(Buffer.alloc(64)), /no xz stream found/);
  await assert.rejects(sizeOf(Buffer.concat([randomBytes(12), good])), /reading xz index: /);
});
