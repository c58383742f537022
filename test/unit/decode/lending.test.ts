/**
 * The lending contract of the zero-garbage install path (src/decode/codec.ts): a codec may reuse
 * the memory of what it emits only when it says so (`lent`), and must not keep a view of an
 * input chunk once write() settled. The test lends like install does: one input buffer,
 * overwritten with garbage after every write; lent outputs copied at once, the others kept and
 * checked at the end for bytes that changed under the consumer.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import zlib from 'node:zlib';
import * as lzma from 'node-liblzma';
import { compress as zstdCompress } from 'zstd-napi';
import { AutoDecoder } from '../../../src/decode/auto-decoder.js';
import type { Emit } from '../../../src/decode/codec.js';
import { errorChain } from '../../../src/errors.js';

// Random (not compressible) and zero runs: several MiB, so the zstd ring and xz's output buffer wrap.
const data = Buffer.concat([
  randomBytes(3 * 1024 * 1024),
  Buffer.alloc(5 * 1024 * 1024),
  randomBytes(700_000),
  Buffer.from('end'),
]);
const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const encodings: Record<string, Buffer> = {
  raw: data,
  gzip: zlib.gzipSync(data),
  xz: lzma.xzSync(data, { check: lzma.check.CRC32 }),
  zstd: zstdCompress(data, { checksumFlag: true }),
};

async function decodeLending(input: Buffer, chunkSize: number, slowReader: boolean): Promise<Buffer> {
  const lentInput = Buffer.alloc(chunkSize);
  const out: Buffer[] = [];
  const kept: Array<{ buf: Buffer; hash: string }> = [];
  const emit: Emit = (buf, lent) => {
    if (lent) {
      out.push(Buffer.from(buf));
    } else {
      out.push(buf);
      kept.push({ buf, hash: digest(buf) });
    }
    return slowReader ? new Promise<void>((resolve) => setImmediate(resolve)) : undefined;
  };
  const decoder = new AutoDecoder();
  for (let pos = 0; pos < input.length; pos += chunkSize) {
    const n = input.copy(lentInput, 0, pos, pos + chunkSize);
    await decoder.write(lentInput.subarray(0, n), emit);
    lentInput.fill(0xa5); // the caller reuses its buffer: a codec holding a view would see this
  }
  await decoder.finish(emit);
  for (const [i, k] of kept.entries())
    assert.equal(digest(k.buf), k.hash, `output ${i} was not marked lent but changed after it was emitted`);
  return Buffer.concat(out);
}

for (const [kind, encoded] of Object.entries(encodings)) {
  for (const [chunkSize, slowReader] of [
    [1024 * 1024, false],
    [65_537, true],
    [3, false],
  ] as const) {
    test(`${kind}: lent input (${chunkSize}-byte chunks) and lent output decode exactly${slowReader ? ', slow reader' : ''}`, async () => {
      const input = chunkSize === 3 ? encoded.subarray(0, 200_000) : encoded;
      const got = await decodeLending(input, chunkSize, slowReader).catch((err: Error) => err);
      if (chunkSize === 3 && kind !== 'raw') {
        // A prefix only: small chunks through the sniffing and header paths, then truncation.
        assert.ok(got instanceof Error && /unexpected end of compressed stream/.test(got.message), String(got));
        return;
      }
      assert.ok(Buffer.isBuffer(got), String(got));
      assert.equal(digest(got), digest(chunkSize === 3 ? data.subarray(0, 200_000) : data));
    });
  }
}

// A hung decode fails by timeout; closing its decoder afterwards ends a zstd worker thread,
// so the test process can still exit.
const opened: AutoDecoder[] = [];
after(() => opened.forEach((d) => d.close()));

for (const [kind, encoded] of Object.entries(encodings)) {
  test(`${kind}: a reader failing mid-stream fails the decode (no hang, no crash)`, { timeout: 30_000 }, async () => {
    const decoder = new AutoDecoder();
    opened.push(decoder);
    let calls = 0;
    const emit: Emit = () =>
      ++calls === 3
        ? Promise.reject(new Error('disk went away'))
        : calls > 3
          ? Promise.reject(new Error('emit after failure'))
          : undefined;
    const chunk = 65_536;
    await assert.rejects(
      async () => {
        for (let pos = 0; pos < encoded.length; pos += chunk)
          await decoder.write(encoded.subarray(pos, pos + chunk), emit);
        await decoder.finish(emit);
      },
      (err: unknown) => errorChain(err).includes('disk went away'),
    );
  });
}
