/**
 * The decoder thread (xz and zstd decode on a worker into a shared ring): what the reader gets
 * (whole 1 MiB slots, which the install writer writes without copying), byte-exact output with
 * a thread started ahead of need.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import * as lzma from 'node-liblzma';
import { compress as zstdCompress } from 'zstd-napi';
import { AutoDecoder } from '../../../src/decode/auto-decoder.js';
import type { Emit } from '../../../src/decode/codec.js';
import { warmDecoderThread } from '../../../src/decode/decoder-thread.js';

const MIB = 1024 * 1024;
// Dense and sparse stretches, so slots fill from many small input chunks and from a few.
const data = Buffer.concat([randomBytes(2 * MIB + 12345), Buffer.alloc(6 * MIB), randomBytes(777_777)]);
const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const encodings: Record<string, Buffer> = {
  xz: lzma.xzSync(data, { check: lzma.check.CRC32 }),
  zstd: zstdCompress(data, { checksumFlag: true }),
};

/** Decodes in `chunk`-byte input pieces; returns the output and the size of every emitted piece. */
async function decodeRecording(input: Buffer, chunk: number): Promise<{ out: Buffer; sizes: number[] }> {
  const parts: Buffer[] = [];
  const sizes: number[] = [];
  const emit: Emit = (buf) => {
    parts.push(Buffer.from(buf));
    sizes.push(buf.length);
    return undefined;
  };
  const decoder = new AutoDecoder();
  for (let pos = 0; pos < input.length; pos += chunk) await decoder.write(input.subarray(pos, pos + chunk), emit);
  await decoder.finish(emit);
  return { out: Buffer.concat(parts), sizes };
}

for (const [kind, encoded] of Object.entries(encodings)) {
  test(`${kind}: the reader gets whole 1 MiB slots, only the last one shorter`, async () => {
    for (const chunk of [4093, 65_536, MIB]) {
      const { out, sizes } = await decodeRecording(encoded, chunk);
      assert.equal(digest(out), digest(data), `chunk ${chunk}`);
      assert.deepEqual(
        sizes.slice(0, -1).filter((n) => n !== MIB),
        [],
        `chunk ${chunk}: sizes ${sizes.join(',')}`,
      );
      assert.equal(sizes.at(-1), data.length % MIB, `chunk ${chunk}: last size`);
    }
  });

  test(`${kind}: a thread started ahead of need decodes the same bytes`, async () => {
    warmDecoderThread();
    const { out } = await decodeRecording(encoded, 65_536);
    assert.equal(digest(out), digest(data));
  });
}
