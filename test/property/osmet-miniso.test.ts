/**
 * Hostile input for the osmet and miniso.dat parsers and the osmet unpacker: valid encodings
 * mutated (byte flips, truncation, appended junk, hostile varints: huge lengths and counts, bad
 * tags), bad magic and versions, random bytes. Every run must end in a value or a UserError,
 * never a crash or a hang. Round trips: encode → decode gives the value back, and an image packed
 * against a random set of mappings unpacks to exactly its bytes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { xzSync, check } from 'node-liblzma';
import { UserError } from '../../src/errors.js';
import { BincodeReader } from '../../src/formats/bincode.js';
import { decodeMiniso, encodeMiniso, type MinisoData } from '../../src/formats/miniso.js';
import {
  type Mapping,
  type OsmetBody,
  type OsmetHeader,
  decodeOsmet,
  decodeOsmetHeader,
  encodeOsmetBody,
  encodeOsmetHeader,
  objectHex,
} from '../../src/osmet/format.js';
import { readOsmetFile, readOsmetHeader } from '../../src/osmet/file.js';
import { packedRanges } from '../../src/osmet/packed-image.js';
import { rebuildImage } from '../../src/osmet/unpack.js';
import { RUNS, TEST_TIMEOUT_MS, mutate, mutationArb, params, tolerant } from './harness.js';

const work = mkdtempSync(join(tmpdir(), 'osmet-prop-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A varint a hostile writer would put anywhere: huge, u32-overflowing, or a bad tag. */
const hostileVarint = fc.oneof(
  fc.constant(Buffer.from('fdffffffffffffffff', 'hex')),
  fc.constant(Buffer.from('fd0000000000002000', 'hex')),
  fc.constant(Buffer.from('fcffffffff', 'hex')),
  fc.constant(Buffer.from('fe', 'hex')),
  fc.constant(Buffer.from('ff', 'hex')),
  fc.uint8Array({ minLength: 1, maxLength: 9 }).map((b) => Buffer.from(b)),
);
const insertArb = fc.record({ at: fc.nat(), bytes: hostileVarint });
function insertAt(buf: Buffer, ins: { at: number; bytes: Buffer }): Buffer {
  const at = buf.length === 0 ? 0 : ins.at % buf.length;
  return Buffer.concat([buf.subarray(0, at), ins.bytes, buf.subarray(at)]);
}

const digestArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b));
const headerArb: fc.Arbitrary<OsmetHeader> = fc.record({
  version: fc.constant(1),
  appVersion: fc.string({ maxLength: 12 }),
  sectorSize: fc.constantFrom(512, 4096, 0, 0xffffffff),
  description: fc.string({ maxLength: 40 }),
  architecture: fc.constantFrom('x86_64', 'aarch64', 's390x', ''),
});

/** Valid bodies: partitions in disk order, sorted disjoint mappings inside each. */
const bodyArb: fc.Arbitrary<OsmetBody> = fc
  .array(fc.array(fc.tuple(fc.nat(5000), fc.nat(5000), fc.nat(1 << 20), digestArb), { maxLength: 6 }), {
    minLength: 1,
    maxLength: 4,
  })
  .chain((parts) =>
    fc.tuple(fc.constant(parts), fc.nat(1 << 20), digestArb).map(([ps, tail, checksum]) => {
      let cursor = 0;
      const partitions = ps.map((maps) => {
        const startOffset = cursor + 512;
        let rel = 0;
        const mappings: Mapping[] = maps.map(([gap, length, logical, object]) => {
          const m = { extent: { logical, physical: rel + gap, length }, object };
          rel += gap + length;
          return m;
        });
        const endOffset = startOffset + rel + 1024;
        cursor = endOffset;
        return { startOffset, endOffset, mappings };
      });
      return { partitions, checksum, size: cursor + tail };
    }),
  );

test('osmet: encode then decode gives the header and body back', { timeout: TEST_TIMEOUT_MS }, () => {
  fc.assert(
    fc.property(headerArb, bodyArb, (header, body) => {
      const bytes = Buffer.concat([
        encodeOsmetHeader(header),
        encodeOsmetBody(body),
        Buffer.from('fd377a585a00', 'hex'),
      ]);
      const parsed = decodeOsmet(bytes);
      assert.deepEqual(parsed.header, { ...header });
      assert.deepEqual(parsed.body, body);
      assert.equal(parsed.dataOffset, bytes.length - 6);
    }),
    params({ numRuns: Math.ceil(RUNS / 5) }),
  );
});

test('osmet: mutated files and hostile varints decode or fail with a UserError', { timeout: TEST_TIMEOUT_MS }, () => {
  fc.assert(
    fc.property(
      headerArb,
      bodyArb,
      fc.array(mutationArb, { maxLength: 4 }),
      fc.option(insertArb),
      (header, body, muts, ins) => {
        let bytes: Buffer = Buffer.concat([encodeOsmetHeader(header), encodeOsmetBody(body)]);
        bytes = mutate(bytes, muts);
        if (ins) bytes = insertAt(bytes, ins);
        tolerant(() => decodeOsmet(bytes));
        tolerant(() => decodeOsmetHeader(new BincodeReader(bytes)));
      },
    ),
    params(),
  );
});

test('osmet: random bytes after the magic, bad versions', { timeout: TEST_TIMEOUT_MS }, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (rest, version) => {
      const magic = Buffer.from('OSMET\0\0\0', 'latin1');
      tolerant(() => decodeOsmet(Buffer.concat([magic, Buffer.from(rest)])));
      const h = encodeOsmetHeader({
        version: version >>> 0,
        appVersion: 'x',
        sectorSize: 512,
        description: '',
        architecture: 'x86_64',
      });
      if (version >>> 0 !== 1)
        assert.throws(() => decodeOsmetHeader(new BincodeReader(h)), /incompatible OSMET file version/);
    }),
    params(),
  );
});

test(
  'osmet files on disk: the growing prefix reader accepts or refuses cleanly',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    await fc.assert(
      fc.asyncProperty(
        headerArb,
        bodyArb,
        fc.array(mutationArb, { maxLength: 3 }),
        fc.option(insertArb),
        async (header, body, muts, ins) => {
          let bytes: Buffer = Buffer.concat([
            encodeOsmetHeader(header),
            encodeOsmetBody(body),
            Buffer.from('fd377a585a00', 'hex'),
          ]);
          bytes = mutate(bytes, muts);
          if (ins) bytes = insertAt(bytes, ins);
          const path = join(work, 'f.osmet');
          writeFileSync(path, bytes);
          for (const read of [readOsmetHeader, readOsmetFile]) {
            try {
              await read(path);
            } catch (err) {
              if (!(err instanceof UserError)) throw err;
            }
          }
        },
      ),
      params({ numRuns: Math.ceil(RUNS / 20) }),
    );
  },
);

const minisoArb: fc.Arbitrary<MinisoData> = fc
  .array(fc.tuple(fc.nat(40), fc.nat(100_000), fc.nat(70_000)), { minLength: 1, maxLength: 12 })
  .chain((raw) => {
    let sector = 16;
    const entries = raw.map(([gap, full, length]) => {
      const e = { minimal: sector + gap, full, length };
      sector = e.minimal + Math.ceil(length / 2048);
      return e;
    });
    return fc.record({
      entries: fc.constant(entries),
      digest: digestArb,
      xzpacked: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    });
  });

test(
  'miniso.dat: round trip, and mutated or hostile encodings fail with a UserError',
  { timeout: TEST_TIMEOUT_MS },
  () => {
    fc.assert(
      fc.property(
        minisoArb,
        fc.string({ maxLength: 10 }),
        fc.array(mutationArb, { maxLength: 4 }),
        fc.option(insertArb),
        (data, app, muts, ins) => {
          const bytes = encodeMiniso({ version: 1, appVersion: app }, data);
          assert.deepEqual(decodeMiniso(bytes).data, { ...data, entries: data.entries.map((e) => ({ ...e })) });
          let bad: Buffer = mutate(bytes, muts);
          if (ins) bad = insertAt(bad, ins);
          tolerant(() => decodeMiniso(bad));
        },
      ),
      params(),
    );
  },
);

/** A random small disk image, partitions and mappings; the repo holds the mapped bytes. */
const imageCaseArb = fc.record({
  size: fc.integer({ min: 4096, max: 64 * 1024 }),
  seed: fc.nat(),
  cuts: fc.array(fc.nat(1 << 16), { minLength: 4, maxLength: 12 }),
  tailShort: fc.nat(4096),
});

function buildCase(c: { size: number; seed: number; cuts: number[]; tailShort: number }, dir: string) {
  const image = Buffer.alloc(c.size);
  let x = c.seed | 1;
  for (let i = 0; i < image.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    image[i] = (i >> 9) % 3 === 0 ? 0 : x >>> 24;
  }
  // one partition [size/8, size/8*7); mappings from sorted cut points, every other span mapped
  const start = Math.floor(c.size / 8);
  const end = Math.floor((c.size / 8) * 7);
  const points = [...new Set(c.cuts.map((v) => v % (end - start)))].sort((a, b) => a - b);
  const repo = join(dir, 'repo');
  const mappings: Mapping[] = [];
  for (let i = 0; i + 1 < points.length; i += 2) {
    const physical = points[i]!;
    const length = points[i + 1]! - physical;
    if (length === 0) continue;
    const object = createHash('sha256').update(`${c.seed}-${i}`).digest();
    const hex = objectHex(object);
    mkdirSync(join(repo, 'objects', hex.slice(0, 2)), { recursive: true });
    // the object holds the extent's bytes after a 100-byte prefix; the last one ends short (zero tail)
    let data = Buffer.concat([Buffer.alloc(100, 7), image.subarray(start + physical, start + physical + length)]);
    const last = i + 3 >= points.length;
    if (last) {
      const zeros = Math.min(c.tailShort, length);
      image.fill(0, start + physical + length - zeros, start + physical + length);
      data = data.subarray(0, data.length - zeros);
    }
    writeFileSync(join(repo, 'objects', hex.slice(0, 2), `${hex.slice(2)}.file`), data);
    mappings.push({ extent: { logical: 100, physical, length }, object });
  }
  const partitions = [{ startOffset: start, endOffset: end, mappings }];
  const packed = Buffer.concat(packedRanges(partitions, image.length).map(([a, b]) => image.subarray(a, b)));
  const body: OsmetBody = { partitions, checksum: createHash('sha256').update(image).digest(), size: image.length };
  const head = Buffer.concat([
    encodeOsmetHeader({ version: 1, appVersion: 't', sectorSize: 512, description: 'd', architecture: 'x86_64' }),
    encodeOsmetBody(body),
  ]);
  const file = Buffer.concat([head, xzSync(packed, { preset: 0, check: check.CRC64 })]);
  return { image, repo, file };
}

async function rebuild(path: string, repo: string): Promise<Buffer> {
  const osmet = await readOsmetFile(path);
  const parts: Buffer[] = [];
  for await (const chunk of rebuildImage(osmet, repo)) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

test(
  'unpack: pack against random mappings, then unpack gives exactly the image',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    await fc.assert(
      fc.asyncProperty(imageCaseArb, async (c) => {
        const dir = mkdtempSync(join(work, 'rt-'));
        try {
          const { image, repo, file } = buildCase(c, dir);
          writeFileSync(join(dir, 'f.osmet'), file);
          const out = await rebuild(join(dir, 'f.osmet'), repo);
          assert.ok(out.equals(image));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      params({ numRuns: Math.ceil(RUNS / 50) }),
    );
  },
);

test(
  'unpack: a mutated osmet file rebuilds the exact image or fails with a UserError',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    await fc.assert(
      fc.asyncProperty(imageCaseArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (c, muts) => {
        const dir = mkdtempSync(join(work, 'mut-'));
        try {
          const { image, repo, file } = buildCase(c, dir);
          writeFileSync(join(dir, 'f.osmet'), mutate(file, muts));
          try {
            const out = await rebuild(join(dir, 'f.osmet'), repo);
            // only a mutation that changed nothing the image depends on can succeed
            assert.ok(out.equals(image), 'a damaged file rebuilt a different image without an error');
          } catch (err) {
            if (!(err instanceof UserError)) throw err;
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      params({ numRuns: Math.ceil(RUNS / 50) }),
    );
  },
);
