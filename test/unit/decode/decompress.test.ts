import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import zlib from 'node:zlib';
import * as lzma from 'node-liblzma';
import { compress as zstdCompress } from 'zstd-napi';
import { createDecompressor, sniffCompression } from '../../../src/decode/decompress.js';

const data = Buffer.concat([Buffer.from(randomBytes(200_000).toString('hex')), Buffer.alloc(300_000, 7)]);
const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const encoded: Record<string, Buffer> = {
  gzip: zlib.gzipSync(data),
  xz: lzma.xzSync(data, { check: lzma.check.CRC32 }),
  zstd: zstdCompress(data, { checksumFlag: true }), // as the zstd CLI writes it
};

async function decode(input: Buffer, chunk = 65536): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) parts.push(input.subarray(i, i + chunk));
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(parts),
    createDecompressor(),
    new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
}

test('sniffs gzip, xz, zstd (incl. skippable frames) and raw', () => {
  assert.equal(sniffCompression(encoded.gzip!), 'gzip');
  assert.equal(sniffCompression(encoded.xz!), 'xz');
  assert.equal(sniffCompression(encoded.zstd!), 'zstd');
  assert.equal(sniffCompression(Buffer.from([0x5e, 0x2a, 0x4d, 0x18, 0, 0, 0, 0])), 'zstd');
  assert.equal(sniffCompression(Buffer.from('hello world')), 'none');
  assert.equal(sniffCompression(Buffer.alloc(0)), 'none');
});

for (const [kind, enc] of Object.entries(encoded)) {
  test(`${kind}: decodes byte-identical output whatever the chunking`, async () => {
    for (const chunk of [1 << 20, 65536, 4099, 7]) {
      if (chunk < 64 && kind !== 'gzip') continue; // tiny chunks are slow; one codec is enough
      assert.equal(digest(await decode(enc, chunk)), digest(data), `chunk ${chunk}`);
    }
  });

  test(`${kind}: truncation is an error at any cut`, async () => {
    // Keep at least 6 bytes: fewer cannot be told apart from raw data.
    for (const cut of [1, 7, 100, enc.length >> 1, enc.length - 6]) {
      await assert.rejects(
        decode(enc.subarray(0, enc.length - cut)),
        /unexpected end of compressed stream|corrupt|data error/,
        `cut ${cut}`,
      );
    }
    await assert.rejects(decode(enc.subarray(0, enc.length - 1)), /unexpected end of compressed stream/);
  });

  test(`${kind}: any trailing byte is an error`, async () => {
    for (const tail of [
      Buffer.from([0]),
      Buffer.from('X'),
      Buffer.alloc(4),
      Buffer.alloc(8),
      Buffer.alloc(100_000, 9),
    ]) {
      await assert.rejects(
        decode(Buffer.concat([enc, tail])),
        /found trailing data after compressed stream/,
        `tail ${tail.length}`,
      );
    }
  });

  test(`${kind}: a flipped byte is an error`, async () => {
    const bad = Buffer.from(enc);
    bad[bad.length >> 1]! ^= 0x55;
    await assert.rejects(decode(bad));
  });
}

test('gzip: header fields (FNAME, FEXTRA, FCOMMENT, FHCRC) are skipped; a bad CRC32 is an error', async () => {
  const deflated = zlib.deflateRawSync(data);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(zlib.crc32(data), 0);
  trailer.writeUInt32LE(data.length, 4);
  const header = Buffer.concat([
    Buffer.from([0x1f, 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3]),
    Buffer.from([3, 0, 1, 2, 3]),
    Buffer.from('name.raw\0comment\0'),
    Buffer.from([0xaa, 0xbb]),
  ]);
  assert.equal(digest(await decode(Buffer.concat([header, deflated, trailer]), 5)), digest(data));
  const badCrc = Buffer.from(trailer);
  badCrc[0]! ^= 1;
  await assert.rejects(decode(Buffer.concat([header, deflated, badCrc])), /gzip checksum mismatch/);
  await assert.rejects(decode(header.subarray(0, 12)), /unexpected end of compressed stream/);
});

test('gzip: a second member is trailing data (single-member, like upstream)', async () => {
  await assert.rejects(decode(Buffer.concat([encoded.gzip!, encoded.gzip!])), /found trailing data/);
});

test('zstd: concatenated and skippable frames decode like zstd -dc', async () => {
  const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0]), Buffer.from('meta')]);
  const twice = Buffer.concat([skippable, encoded.zstd!, zstdCompress(Buffer.from('tail'))]);
  assert.deepEqual(await decode(twice, 1000), Buffer.concat([data, Buffer.from('tail')]));
});

test('raw input passes through unchanged, including inputs shorter than a magic', async () => {
  assert.deepEqual(await decode(data.subarray(0, 100_000), 3333), data.subarray(0, 100_000));
  assert.deepEqual(await decode(Buffer.from('abc')), Buffer.from('abc'));
  assert.deepEqual(await decode(Buffer.alloc(0)), Buffer.alloc(0));
});

test('backpressure: a slow consumer still gets every byte', async () => {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from([encoded.xz!]),
    createDecompressor(),
    new Writable({
      highWaterMark: 1024,
      write(c: Buffer, _e, cb) {
        out.push(c);
        setImmediate(cb);
      },
    }),
  );
  assert.equal(digest(Buffer.concat(out)), digest(data));
});
