// The bincode 1.x varint encoding used by osmet files and miniso.dat, against byte values
// produced by the real bincode 1.3.3 (varint, little-endian).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BincodeReader, BincodeWriter, TruncatedInputError } from '../../../src/formats/bincode.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const VECTORS: Array<[number | bigint, string]> = [
  [0, '00'],
  [250, 'fa'],
  [251, 'fb fb 00'],
  [65535, 'fb ff ff'],
  [65536, 'fc 00 00 01 00'],
  [4294967295, 'fc ff ff ff ff'],
  [4294967296, 'fd 00 00 00 00 01 00 00 00'],
];

test('varints are written in the shortest form bincode writes', () => {
  for (const [v, bytes] of VECTORS) assert.deepEqual(new BincodeWriter().u64(v).toBuffer(), hex(bytes), String(v));
});

test('varints decode back, including non-minimal forms bincode accepts', () => {
  for (const [v, bytes] of VECTORS) assert.equal(new BincodeReader(hex(bytes)).u64(), Number(v));
  assert.equal(new BincodeReader(hex('fb 05 00')).u64(), 5);
  assert.equal(new BincodeReader(hex('fd 05 00 00 00 00 00 00 00')).u32(), 5);
});

test('u128 and reserved tags are refused; u32 fields refuse values past 2^32-1', () => {
  assert.throws(() => new BincodeReader(hex('fe 00')).u64(), /invalid integer tag 0xfe at offset 0/);
  assert.throws(() => new BincodeReader(hex('ff')).u32(), /invalid integer tag 0xff/);
  assert.throws(() => new BincodeReader(hex('fd 00 00 00 00 01 00 00 00')).u32(), /invalid u32 4294967296 at offset 0/);
});

test('u64 values beyond any byte offset are refused instead of losing precision', () => {
  assert.throws(() => new BincodeReader(hex('fd ff ff ff ff ff ff ff ff')).u64(), /too large for a byte offset/);
  assert.equal(new BincodeReader(hex('fd ff ff ff ff ff ff 1f 00')).u64(), Number.MAX_SAFE_INTEGER);
});

test('strings: varint length then UTF-8; invalid UTF-8 is refused', () => {
  assert.deepEqual(new BincodeWriter().string('0.26.0').toBuffer(), hex('06 30 2e 32 36 2e 30'));
  assert.equal(new BincodeReader(hex('06 30 2e 32 36 2e 30')).string(), '0.26.0');
  assert.throws(() => new BincodeReader(hex('02 c3 28')).string(), /not valid UTF-8/);
});

test('running out of bytes is a TruncatedInputError that says where and how much', () => {
  const err = (() => {
    try {
      new BincodeReader(hex('fc 00 01')).u32();
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(err instanceof TruncatedInputError);
  assert.equal(err.offset, 1);
  assert.equal(err.needed, 2);
  // a string longer than what is left
  assert.throws(() => new BincodeReader(hex('05 61 62')).string(), TruncatedInputError);
});

test('a vector count that cannot fit in the bytes left is refused before reading elements', () => {
  const r = new BincodeReader(hex('fd 00 00 00 00 00 01 00 00 11 22'));
  assert.throws(
    () => r.count(35),
    (e: unknown) => e instanceof TruncatedInputError && e.offset === 0,
  );
});
