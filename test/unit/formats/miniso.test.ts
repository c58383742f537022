// miniso.dat against a hand-built byte layout (the start of upstream's 2023-07 x86_64 fixture:
// header "MINISO\0\0" v1 "0.17.0", then table entries), plus the table and size-limit checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MINISO_LIMIT, decodeMiniso, encodeMiniso, validateTable } from '../../../src/formats/miniso.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const DIGEST = Buffer.alloc(32, 0x5a);
const XZ = hex('fd 37 7a 58 5a 00 00 04');

/** Header, 3 entries, digest, a 2560-byte packed stream: every byte written by hand. */
function handBuilt(xzpacked: Buffer): Buffer {
  return Buffer.concat([
    hex('4d 49 4e 49 53 4f 00 00  01  06 30 2e 31 37 2e 30'),
    hex('03'),
    hex('2c 2c fb 00 08'), // (44, 44, 2048)
    hex('2d 2d fb 00 98'), // (45, 45, 38912)
    hex('40 41 0c'), // (64, 65, 12)
    DIGEST,
    hex('fb 00 0a'), // 2560
    xzpacked,
  ]);
}

const ENTRIES = [
  { minimal: 44, full: 44, length: 2048 },
  { minimal: 45, full: 45, length: 38912 },
  { minimal: 64, full: 65, length: 12 },
];

test('decodes the hand-built layout; trailing bytes (the rest of the 16 KiB file) are ignored', () => {
  const packed = Buffer.concat([XZ, Buffer.alloc(2560 - XZ.length, 7)]);
  const file = Buffer.concat([handBuilt(packed), Buffer.alloc(16384)]);
  const { header, data } = decodeMiniso(file);
  assert.deepEqual(header, { version: 1, appVersion: '0.17.0' });
  assert.deepEqual(data.entries, ENTRIES);
  assert.deepEqual(data.digest, DIGEST);
  assert.deepEqual(data.xzpacked, packed);
});

test('encodes to the same bytes', () => {
  const packed = Buffer.concat([XZ, Buffer.alloc(2560 - XZ.length, 7)]);
  assert.deepEqual(
    encodeMiniso({ version: 1, appVersion: '0.17.0' }, { entries: ENTRIES, digest: DIGEST, xzpacked: packed }),
    handBuilt(packed),
  );
});

test('bad magic and version give upstream messages (expected version first)', () => {
  const good = handBuilt(Buffer.alloc(2560));
  const magic = Buffer.from(good);
  magic[0] = 0x4e;
  assert.throws(() => decodeMiniso(magic), /not a miniso file!/);
  const v = Buffer.from(good);
  v[8] = 7;
  assert.throws(() => decodeMiniso(v), /incompatible miniso file version: 1 vs 7 \(created by 0\.17\.0\)/);
});

test('table: empty, overlapping and unsorted tables are refused', () => {
  assert.throws(() => validateTable([]), /table is empty; ISOs have no files in common\?/);
  assert.throws(
    () =>
      validateTable([
        { minimal: 10, full: 10, length: 2049 },
        { minimal: 11, full: 12, length: 1 },
      ]),
    /Files at offsets 20480 and 22528 overlap/,
  );
  assert.throws(
    () =>
      validateTable([
        { minimal: 11, full: 10, length: 1 },
        { minimal: 10, full: 12, length: 1 },
      ]),
    /overlap/,
  );
  validateTable([
    { minimal: 10, full: 10, length: 2048 },
    { minimal: 11, full: 12, length: 1 },
  ]);
});

test('the 1 MiB limit holds on read and on write', () => {
  const big = { entries: ENTRIES, digest: DIGEST, xzpacked: Buffer.alloc(MINISO_LIMIT) };
  assert.throws(
    () => encodeMiniso({ version: 1, appVersion: 'x' }, big),
    /collision with data size limit at offset 1048576/,
  );
  // a stream whose length runs past 1 MiB in a larger file
  const header = handBuilt(Buffer.alloc(0)).subarray(0, -3);
  const file = Buffer.concat([header, hex('fc 00 00 20 00'), Buffer.alloc(2 * MINISO_LIMIT)]);
  assert.throws(() => decodeMiniso(file), /collision with data size limit at offset 1048576/);
});
