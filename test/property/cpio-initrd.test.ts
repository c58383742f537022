/**
 * newc cpio writer/reader and the concatenated-initrd reader: exact write→read round trips
 * (raw, gzip, xz, zstd, concatenated), and no crash on mutated or random input.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import fc from 'fast-check';
import { compress as zstdCompress } from 'zstd-napi';
import { writeNewc, S_IFMT, S_IFREG } from '../../src/initrd/cpio-newc.js';
import { readInitrd, readNewc, walkInitrd } from '../helpers/buffered-initrd.js';
import { collectInitrd } from '../../src/initrd/collect.js';
import { UserError } from '../../src/errors.js';
import { xzCrc32 } from '../../src/initrd/xz-encoder.js';
import { mutate, mutationArb, params, tolerant, RUNS, TEST_TIMEOUT_MS } from './harness.js';

const segment = fc.stringMatching(/^[a-zA-Z0-9._-]{1,12}$/).filter((s) => s !== '.' && s !== '..');
const pathArb = fc.array(segment, { minLength: 1, maxLength: 4 }).map((p) => p.join('/'));
/** Maps path → contents, with no path being a strict directory prefix of another file. */
const filesArb = fc
  .uniqueArray(fc.tuple(pathArb, fc.uint8Array({ maxLength: 300 })), { selector: (t) => t[0], maxLength: 8 })
  .map((pairs) => {
    const names = pairs.map((p) => p[0]);
    const kept = pairs.filter(([p]) => !names.some((o) => o.startsWith(p + '/')));
    return new Map(kept.map(([p, d]) => [p, Buffer.from(d)]));
  });

function regularFiles(buf: Buffer): Map<string, Buffer> {
  const { entries } = readNewc(buf);
  return new Map(entries.filter((e) => (e.mode & S_IFMT) === S_IFREG).map((e) => [e.name, Buffer.from(e.data)]));
}

test(
  'cpio: writeNewc → readNewc is exact (regular files, sizes, 4-byte alignment)',
  { timeout: TEST_TIMEOUT_MS },
  () => {
    fc.assert(
      fc.property(filesArb, (files) => {
        const archive = writeNewc(files);
        assert.equal(archive.length % 4, 0);
        const { end } = readNewc(archive);
        assert.equal(end, archive.length);
        assert.deepEqual(regularFiles(archive), files);
      }),
      params(),
    );
  },
);

test(
  'initrd: concatenated raw/gzip/xz/zstd archives with zero padding read back exactly',
  { timeout: TEST_TIMEOUT_MS },
  () => {
    const codecs = {
      none: (b: Buffer) => b,
      gzip: (b: Buffer) => gzipSync(b, { level: 1 }),
      xz: (b: Buffer) => xzCrc32(b),
      zstd: (b: Buffer) => zstdCompress(b),
    };
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            filesArb,
            fc.constantFrom<keyof typeof codecs>('none', 'gzip', 'xz', 'zstd'),
            fc.integer({ min: 0, max: 9 }),
          ),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        (parts) => {
          const expected = new Map<string, Buffer>();
          const chunks: Buffer[] = [];
          for (const [files, codec, padding] of parts) {
            // Consecutive zstd frames are one archive (reference §2.3, as upstream), so two zstd
            // archives need a zero byte between them to stay two archives.
            const pad = codec === 'none' ? 0 : codec === 'zstd' ? Math.max(1, padding) : padding;
            chunks.push(codecs[codec](writeNewc(files)), Buffer.alloc(pad));
            for (const [p, d] of files) expected.set(p, d); // later duplicates win
          }
          const got = readInitrd(Buffer.concat(chunks));
          assert.deepEqual(new Map([...got].sort()), new Map([...expected].sort()));
        },
      ),
      // xz at preset 9 is slow to encode; the round trip needs far fewer runs than the fuzzing below.
      params({ numRuns: Math.min(RUNS, 1_500) }),
    );
  },
);

async function* chunked(buf: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let i = 0;
  for (let k = 0; i < buf.length; k++) {
    const n = sizes[k % sizes.length]!;
    yield buf.subarray(i, i + n);
    i += n;
  }
}

/** The streaming reader's result, or undefined when it refused the input (UserError only). */
async function streamed(buf: Buffer, sizes: number[]): Promise<Map<string, Buffer> | undefined> {
  try {
    return await collectInitrd(chunked(buf, sizes), () => true);
  } catch (err) {
    if (err instanceof UserError) return undefined;
    throw err;
  }
}

const chunkSizesArb = fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 5 });

test(
  'initrd stream: any chunking reads concatenated archives exactly; mutated input agrees with the buffer reader or is refused',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const codecs = {
      none: (b: Buffer) => b,
      gzip: (b: Buffer) => gzipSync(b, { level: 1 }),
      zstd: (b: Buffer) => zstdCompress(b),
    };
    const xzSamples = [
      new Map([['etc/a', Buffer.from('hello')]]),
      new Map([
        ['x/y/z', Buffer.alloc(700, 7)],
        ['b', Buffer.from('b')],
      ]),
    ].map((f) => xzCrc32(writeNewc(f)));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            filesArb,
            fc.constantFrom<keyof typeof codecs>('none', 'gzip', 'zstd'),
            fc.integer({ min: 1, max: 9 }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        fc.constantFrom(...xzSamples),
        chunkSizesArb,
        fc.array(mutationArb, { maxLength: 3 }),
        async (parts, xz, sizes, muts) => {
          const chunks: Buffer[] = [xz, Buffer.alloc(4)];
          for (const [files, codec, pad] of parts) chunks.push(codecs[codec](writeNewc(files)), Buffer.alloc(pad));
          const initrd = Buffer.concat(chunks);
          if (muts.length === 0) {
            assert.deepEqual(await streamed(initrd, sizes), readInitrd(initrd));
            return;
          }
          const bad = mutate(initrd, muts);
          const fromStream = await streamed(bad, sizes);
          const fromBuffer = tolerant(() => readInitrd(bad));
          // The stream reader is at least as strict (it also checks the gzip size field).
          if (fromStream && fromBuffer) assert.deepEqual(fromStream, fromBuffer);
          if (fromStream) assert.ok(fromBuffer, 'accepted by the stream reader only');
        },
      ),
      params({ numRuns: Math.min(RUNS, 2_000) }),
    );
  },
);

test('cpio + initrd: mutated archives never crash (UserError only)', { timeout: TEST_TIMEOUT_MS }, () => {
  fc.assert(
    fc.property(
      filesArb,
      fc.constantFrom('none', 'gzip', 'zstd'),
      fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
      (files, codec, muts) => {
        const raw = writeNewc(files);
        const encoded = codec === 'gzip' ? gzipSync(raw, { level: 1 }) : codec === 'zstd' ? zstdCompress(raw) : raw;
        const bad = mutate(encoded, muts);
        tolerant(() => readNewc(bad));
        tolerant(() => walkInitrd(bad, () => undefined));
      },
    ),
    params(),
  );
});

test('xz initrd: mutated streams never crash (UserError only)', { timeout: TEST_TIMEOUT_MS }, () => {
  // Mutations of a few fixed xz archives (encoding per run would dominate the run time).
  const samples = [
    new Map([['etc/a', Buffer.from('hello')]]),
    new Map([
      ['x/y/z', Buffer.alloc(700, 7)],
      ['b', Buffer.from('b')],
    ]),
  ].map((f) => xzCrc32(writeNewc(f)));
  fc.assert(
    fc.property(fc.constantFrom(...samples), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (xz, muts) => {
      tolerant(() => walkInitrd(mutate(xz, muts), () => undefined));
    }),
    params(),
  );
});

test('initrd: random bytes and magic-prefixed junk never crash', { timeout: TEST_TIMEOUT_MS }, () => {
  const magics = [
    [],
    [0x1f, 0x8b, 8],
    [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0],
    [0x28, 0xb5, 0x2f, 0xfd],
    [0x50, 0x2a, 0x4d, 0x18],
    [...Buffer.from('070701')],
  ];
  fc.assert(
    fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 400 }), (magic, rest) => {
      const buf = Buffer.concat([Buffer.from(magic), rest]);
      tolerant(() => walkInitrd(buf, () => undefined));
    }),
    params(),
  );
});
