/** The streaming initrd reader: same results as the whole-buffer reader, at any chunking, and hostile input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, gzipSync } from 'node:zlib';
import { compress as zstd } from 'zstd-napi';
import { writeNewc } from '../../../src/initrd/cpio-newc.js';
import { readInitrd } from '../../helpers/buffered-initrd.js';
import { collectInitrd, listInitrd } from '../../../src/initrd/collect.js';
import { xzCrc32 } from '../../../src/initrd/xz-encoder.js';

const arch = (name: string, text: string | Buffer) => writeNewc(new Map([[name, Buffer.from(text)]]));

async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const SIZES = [1, 3, 7, 64, 4096, 1 << 30];
const all = () => true;

/** Header of a newc entry with arbitrary fields (for hostile archives). */
function rawHeader(name: string, size: number, namesize = Buffer.byteLength(name) + 1, mode = 0o100644): Buffer {
  const fields = [1, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, namesize, 0]
    .map((f) => f.toString(16).padStart(8, '0'))
    .join('');
  const head = Buffer.concat([Buffer.from('070701' + fields), Buffer.from(name + '\0')]);
  return Buffer.concat([head, Buffer.alloc((4 - (head.length % 4)) % 4)]);
}

/** Fails the same way at every chunking, whether file contents are kept or only names listed. */
async function rejectsAtAllSizes(buf: Buffer, re: RegExp): Promise<void> {
  for (const size of SIZES) {
    await assert.rejects(listInitrd(chunks(buf, size), all), re, `chunk size ${size}`);
    await assert.rejects(
      collectInitrd(chunks(buf, size), (p) => p === 'a'),
      re,
      `chunk size ${size}`,
    );
  }
}

test('concatenated plain (GNU style), gzip, xz, zstd, zero padding; equals the buffer reader at any chunking', async () => {
  const z2 = arch('z2', 'consecutive frames: one archive\n');
  const initrd = Buffer.concat([
    arch('etc/a', 'raw\n'),
    Buffer.alloc(512),
    gzipSync(arch('data/file', 'first\n')),
    gzipSync(arch('g2', 'second gzip member is a second archive\n')),
    xzCrc32(arch('data/file', 'second\n')),
    xzCrc32(arch('x2', 'second xz stream is a second archive\n')),
    Buffer.alloc(4),
    zstd(arch('z', 'zstd\n')),
    Buffer.alloc(1),
    // Consecutive frames are one archive (reference §2.3).
    zstd(z2.subarray(0, 50)),
    zstd(z2.subarray(50)),
    Buffer.alloc(3),
    arch('data/file', 'third\n'),
    Buffer.alloc(9),
  ]);
  const expected = readInitrd(initrd);
  assert.deepEqual([...expected.keys()], ['data/file', 'etc/a', 'g2', 'x2', 'z', 'z2']);
  for (const size of SIZES) {
    assert.deepEqual(await collectInitrd(chunks(initrd, size), all), expected, `chunk size ${size}`);
    assert.deepEqual(await listInitrd(chunks(initrd, size), all), [...expected.keys()]);
  }
  assert.equal(expected.get('data/file')!.toString(), 'third\n');
  const only = await collectInitrd(chunks(initrd, 5), (p) => p.startsWith('data/'));
  assert.deepEqual([...only.keys()], ['data/file']);
});

test('padded names (dracut --data-align) lose their NUL padding', async () => {
  const name = Buffer.from('abc\0\0\0\0\0');
  const fields = [0, 0o100644, 0, 0, 1, 0, 1, 0, 0, 0, 0, name.length, 0]
    .map((f) => f.toString(16).padStart(8, '0'))
    .join('');
  const head = Buffer.concat([Buffer.from('070701' + fields), name]);
  const entry = Buffer.concat([head, Buffer.alloc((4 - (head.length % 4)) % 4), Buffer.from('x\0\0\0')]);
  const cpio = arch('t', '');
  const trailer = cpio.subarray(cpio.indexOf('070701', 1));
  for (const size of SIZES)
    assert.deepEqual([...(await collectInitrd(chunks(Buffer.concat([entry, trailer]), size), all)).keys()], ['abc']);
});

test('non-zero data after the trailer inside a compressed archive is refused; zeros are fine', async () => {
  const inner = Buffer.concat([arch('a', 'x'), Buffer.from('garbage!')]);
  for (const enc of [xzCrc32, (b: Buffer) => gzipSync(b), (b: Buffer) => zstd(b)]) {
    await rejectsAtAllSizes(enc(inner), /found trailing garbage inside compressed archive/);
    const ok = await collectInitrd(chunks(enc(Buffer.concat([arch('a', 'x'), Buffer.alloc(64)])), 2), all);
    assert.equal(ok.get('a')!.toString(), 'x');
  }
});

test('compressed streams cut in the middle of a member: unexpected end of compressed stream', async () => {
  const big = arch('big', Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251)));
  for (const enc of [xzCrc32, (b: Buffer) => gzipSync(b), (b: Buffer) => zstd(b)]) {
    const full = enc(big);
    for (const cut of [Math.floor(full.length / 2), full.length - 3]) {
      await rejectsAtAllSizes(full.subarray(0, cut), /unexpected end of compressed stream/);
    }
  }
});

test('corrupt gzip CRC and corrupt xz data are refused', async () => {
  const gz = gzipSync(arch('a', 'hello'));
  gz[gz.length - 8]! ^= 1;
  await rejectsAtAllSizes(gz, /gzip CRC mismatch/);
  const xz = xzCrc32(arch('a', 'hello world, hello world'));
  xz[xz.length - 30]! ^= 0x55;
  await rejectsAtAllSizes(xz, /xz data error|xz .*corrupt|xz format/);
});

test('giant namesize and filesize fields fail clearly without buffering them', async () => {
  const longName = Buffer.concat([rawHeader('a', 0, 0xffffffff), Buffer.alloc(64)]);
  await rejectsAtAllSizes(longName, /cpio name too long \(4294967295 bytes\) at offset 110/);
  assert.throws(() => readInitrd(longName), /cpio name too long/);
  const bigFile = Buffer.concat([rawHeader('huge', 0xffffffff), Buffer.alloc(1000, 1)]);
  await rejectsAtAllSizes(bigFile, /truncated cpio data for 'huge' at offset 116/);
  await rejectsAtAllSizes(gzipSync(bigFile), /truncated cpio data for 'huge' at offset 116/);
  assert.throws(() => readInitrd(bigFile), /truncated cpio data for 'huge' at offset 116/);
});

test('truncated plain archives name the same offsets as the buffer reader', async () => {
  const a = Buffer.concat([arch('abc', 'hello'), arch('def', 'x')]);
  for (const cut of [50, 115, 120, 126, 140]) {
    const part = a.subarray(0, cut);
    let expected = '';
    try {
      readInitrd(part);
    } catch (e) {
      expected = (e as Error).message;
    }
    for (const size of SIZES)
      await assert.rejects(collectInitrd(chunks(part, size), all), { message: expected || 'no error' }, `cut ${cut}`);
  }
});

test('kept data is bounded: the error names the file and the limit', async () => {
  const initrd = gzipSync(
    writeNewc(
      new Map([
        ['small', Buffer.from('x')],
        ['config.ign', Buffer.alloc(5000, 0x41)],
      ]),
    ),
  );
  await assert.rejects(
    collectInitrd(chunks(initrd, 100), all, { maxKeptBytes: 4096 }),
    /file 'config.ign' in the initrd is too large to read into memory \(4\.9 KiB; limit 4\.0 KiB\)/,
  );
  // Files not asked for are skipped, whatever their size.
  const got = await collectInitrd(chunks(initrd, 100), (p) => p === 'small', { maxKeptBytes: 4096 });
  assert.deepEqual([...got.keys()], ['small']);
});

test('a per-archive cap on decompressed bytes bounds decompression bombs', async () => {
  const bomb = Buffer.concat([rawHeader('zeros', 1 << 20), Buffer.alloc(1 << 20), arch('t', '')]);
  for (const [name, enc] of [
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['xz', xzCrc32],
    ['zstd', (b: Buffer) => zstd(b)],
  ] as const) {
    await assert.rejects(
      listInitrd(chunks(enc(bomb), 4096), all, { maxDecompressed: 512 * 1024 }),
      new RegExp(`${name} archive at offset 0 decompresses to more than 524288 bytes`),
    );
    assert.deepEqual(await listInitrd(chunks(enc(bomb), 4096), all), ['t', 'zeros']);
  }
});

test('junk that looks like a compressed archive fails as a UserError', async () => {
  const gzHeaderOnly = Buffer.from([0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3, 0x61, 0x62]);
  await rejectsAtAllSizes(gzHeaderOnly, /unexpected end of compressed stream/);
  const badMethod = Buffer.from([0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]);
  await rejectsAtAllSizes(badMethod, /unsupported gzip compression method 7/);
  const xzJunk = Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]), Buffer.alloc(30, 0x77)]);
  await rejectsAtAllSizes(xzJunk, /xz/);
  const zstdJunk = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(30, 0x77)]);
  await rejectsAtAllSizes(zstdJunk, /zstd decoding failed|unexpected end/);
});

test("headers straddling the decoders' 1 MiB output buffers (which they reuse) are read intact", async () => {
  for (const first of [1024 * 1024 - 200, 1024 * 1024 - 150, 1024 * 1024 - 117, 1024 * 1024 - 60, 1024 * 1024 - 3]) {
    const cpio = writeNewc(
      new Map([
        ['a', Buffer.alloc(first, 0x61)],
        ['b/second', Buffer.from('second\n')],
        ['c', Buffer.alloc(3000, 0x63)],
      ]),
    );
    for (const enc of [xzCrc32, (b: Buffer) => zstd(b), (b: Buffer) => gzipSync(b)]) {
      const got = await collectInitrd(chunks(enc(cpio), 65536), all);
      assert.deepEqual(got, readInitrd(cpio), `first member ${first}`);
    }
  }
});

test('an xz header asking for a 4 GiB dictionary fails on the decoder memory limit', async () => {
  const xz = Buffer.from(xzCrc32(arch('a', 'small')));
  // Block header at 12: size byte, flags, optional sizes (varints), filter id 0x21, props size 1, props.
  const size = (xz[12]! + 1) * 4;
  const flags = xz[13]!;
  let p = 14;
  const skipVarint = () => {
    while (xz[p++]! & 0x80);
  };
  if (flags & 0x40) skipVarint();
  if (flags & 0x80) skipVarint();
  assert.deepEqual([xz[p], xz[p + 1]], [0x21, 1], 'LZMA2 filter');
  xz[p + 2] = 40; // dictionary size 4 GiB - 1
  xz.writeUInt32LE(crc32(xz.subarray(12, 12 + size - 4)), 12 + size - 4);
  await rejectsAtAllSizes(xz, /xz stream needs more than 256 MiB of memory to decode/);
});
