// The osmet header and body against hand-built byte layouts (bytes produced by bincode 1.3.3 with
// upstream's options and field order), the structural validation, and the mapping canonicalizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BincodeReader } from '../../../src/formats/bincode.js';
import {
  type OsmetBody,
  type OsmetHeader,
  decodeOsmet,
  decodeOsmetBody,
  decodeOsmetHeader,
  encodeOsmetBody,
  encodeOsmetHeader,
  validateOsmet,
} from '../../../src/osmet/format.js';
import { canonicalizeMappings } from '../../../src/osmet/mappings.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const digest = (first: number, last: number) => {
  const b = Buffer.alloc(32);
  b[0] = first;
  b[31] = last;
  return b;
};

const HEADER: OsmetHeader = {
  version: 1,
  appVersion: '0.26.0',
  sectorSize: 512,
  description: 'Fedora CoreOS 42',
  architecture: 'x86_64',
};
const HEADER_BYTES = hex(`
  4f 53 4d 45 54 00 00 00
  01
  06 30 2e 32 36 2e 30
  fb 00 02
  10 46 65 64 6f 72 61 20 43 6f 72 65 4f 53 20 34 32
  06 78 38 36 5f 36 34`);

const BODY: OsmetBody = {
  partitions: [
    {
      startOffset: 1048576,
      endOffset: 3145728,
      mappings: [{ extent: { logical: 0, physical: 4096, length: 8192 }, object: digest(0xab, 0xcd) }],
    },
    { startOffset: 3145728, endOffset: 5368709120, mappings: [] },
  ],
  checksum: digest(0x11, 0x22),
  size: 8589934592,
};
const BODY_BYTES = hex(`
  02
    fc 00 00 10 00
    fc 00 00 30 00
    01
      00
      fb 00 10
      fb 00 20
      ab ${'00 '.repeat(30)} cd
    fc 00 00 30 00
    fd 00 00 00 40 01 00 00 00
    00
  11 ${'00 '.repeat(30)} 22
  fd 00 00 00 00 02 00 00 00`);

test('header encodes to the 43 bytes upstream writes, and back', () => {
  assert.equal(HEADER_BYTES.length, 43);
  assert.deepEqual(encodeOsmetHeader(HEADER), HEADER_BYTES);
  assert.deepEqual(decodeOsmetHeader(new BincodeReader(HEADER_BYTES)), HEADER);
  const h4k = encodeOsmetHeader({ ...HEADER, sectorSize: 4096 });
  assert.deepEqual(h4k.subarray(16, 19), hex('fb 00 10'));
});

test('body encodes to upstream bytes, and back', () => {
  assert.deepEqual(encodeOsmetBody(BODY), BODY_BYTES);
  assert.deepEqual(decodeOsmetBody(new BincodeReader(BODY_BYTES)), BODY);
});

test('a whole file: header, body, then the xz stream starts at dataOffset', () => {
  const xz = hex('fd 37 7a 58 5a 00 01 02');
  const parsed = decodeOsmet(Buffer.concat([HEADER_BYTES, BODY_BYTES, xz]));
  assert.equal(parsed.dataOffset, HEADER_BYTES.length + BODY_BYTES.length);
  assert.deepEqual(parsed.header, HEADER);
  assert.deepEqual(parsed.body, BODY);
});

test('bad magic, then bad version, are upstream errors', () => {
  const bad = Buffer.from(HEADER_BYTES);
  bad[0] = 0x50;
  assert.throws(() => decodeOsmetHeader(new BincodeReader(bad)), /^Error: not an OSMET file!$|not an OSMET file!/);
  const v2 = Buffer.from(HEADER_BYTES);
  v2[8] = 2;
  assert.throws(() => decodeOsmetHeader(new BincodeReader(v2)), /incompatible OSMET file version 2/);
});

test('validation: no partitions, partitions out of order, mappings overlapping or past the end', () => {
  const m = (physical: number, length: number) => ({ extent: { logical: 0, physical, length }, object: digest(1, 2) });
  const base = { checksum: digest(0, 0), size: 10_000 };
  assert.throws(() => validateOsmet({ ...base, partitions: [] }), /OSMET file has no partitions!/);
  assert.throws(
    () =>
      validateOsmet({
        ...base,
        partitions: [
          { startOffset: 2000, endOffset: 3000, mappings: [] },
          { startOffset: 1000, endOffset: 1500, mappings: [] },
        ],
      }),
    /cursor past partition start: 3000 vs 1000/,
  );
  assert.throws(
    () =>
      validateOsmet({ ...base, partitions: [{ startOffset: 0, endOffset: 3000, mappings: [m(100, 50), m(120, 10)] }] }),
    /cursor past mapping start: 150 vs 120/,
  );
  assert.throws(
    () => validateOsmet({ ...base, partitions: [{ startOffset: 1000, endOffset: 2000, mappings: [m(900, 200)] }] }),
    /mapping past partition end: 2100 vs 2000/,
  );
  assert.throws(
    () => validateOsmet({ ...base, partitions: [{ startOffset: 1000, endOffset: 20_000, mappings: [] }] }),
    /partition past the end of the image: 20000 vs 10000/,
  );
  assert.throws(
    () =>
      validateOsmet({
        ...base,
        partitions: [{ startOffset: 0, endOffset: 3000, mappings: [m(Number.MAX_SAFE_INTEGER, 10)] }],
      }),
    /overflow after mapping 0/,
  );
  // zero mappings and zero-length mappings are allowed
  validateOsmet({ ...base, partitions: [{ startOffset: 0, endOffset: 3000, mappings: [m(10, 0), m(10, 5)] }] });
  assert.throws(
    () => decodeOsmet(Buffer.concat([HEADER_BYTES, hex('00'), digest(0, 0), hex('00')])),
    /validating after reading/,
  );
});

test('canonicalization: upstream unit test vector', () => {
  const m = (physical: number, length: number) => ({
    extent: { logical: physical, physical, length },
    object: digest(physical & 0xff, length),
  });
  const { mappings, stats } = canonicalizeMappings([
    m(100, 50),
    m(100, 10),
    m(110, 10),
    m(140, 10),
    m(140, 20),
    m(150, 20),
  ]);
  assert.deepEqual(
    mappings.map((x) => [x.extent.logical, x.extent.physical, x.extent.length]),
    [
      [100, 100, 50],
      [150, 150, 10],
      [160, 160, 10],
    ],
  );
  assert.deepEqual(stats, { dropped: 3, clamped: 2 });
  assert.deepEqual(canonicalizeMappings([]).mappings, []);
});
