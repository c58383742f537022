// `filefrag -v -b1` output (e2fsprogs' FIEMAP front end) parsed into extents, and the extent
// flags upstream's packer refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilefrag } from '../../../src/osmet/fiemap.js';

const A = '/m/ostree/repo/objects/12/514bdc551aadfbbf175c0c93fbd2b3b508ae3060e16766f41c110bf3a3c6ab.file';
const B = '/m/ostree/repo/objects/ab/0000000000000000000000000000000000000000000000000000000000000c.file';

const TWO_FILES = `Filesystem type is: ef53
File size of ${A} is 14190528 (14190592 blocks of 1 bytes)
 ext:     logical_offset:        physical_offset: length:   expected: flags:
   0:        0.. 8388607:   16778240..  25166847: 8388608:            
   1:  8388608..14190591:   25434112..  31236095: 5801984:   25166848: last,eof
${A}: 2 extents found
File size of ${B} is 0 (0 blocks of 1 bytes)
${B}: 0 extents found
`;

test('extents in bytes, per file, in argument order; an empty file has none', () => {
  const out = parseFilefrag(TWO_FILES, [A, B]);
  assert.deepEqual(out.get(A), [
    { logical: 0, physical: 16778240, length: 8388608 },
    { logical: 8388608, physical: 25434112, length: 5801984 },
  ]);
  assert.deepEqual(out.get(B), []);
});

test('extents that cannot be rebuilt from the file are refused with upstream reasons', () => {
  const line = (flags: string) => `File size of ${A} is 10240 (12288 blocks of 1 bytes)
 ext:     logical_offset:        physical_offset: length:   expected: flags:
   0:        0..   12287:          0..         0:      0:             ${flags}
${A}: 1 extent found
`;
  assert.throws(
    () => parseFilefrag(line('last,unknown_loc,delalloc,eof'), [A]),
    /extent inaccessible|extent not allocated yet/,
  );
  assert.throws(() => parseFilefrag(line('last,delalloc,eof'), [A]), /: extent not allocated yet$/);
  assert.throws(() => parseFilefrag(line('last,inline,eof'), [A]), /: extent not aligned$/);
  assert.throws(() => parseFilefrag(line('last,unwritten,eof'), [A]), /: extent preallocated$/);
  assert.throws(() => parseFilefrag(line('encoded'), [A]), /: extent encoded$/);
  assert.throws(() => parseFilefrag(line('merged'), [A]), /: file does not support extents$/);
  // shared and encrypted are not checked (as upstream)
  assert.equal(parseFilefrag(line('last,shared,eof'), [A]).get(A)?.length, 1);
});

test('output that is not the FIEMAP extent table is an error, not an empty mapping', () => {
  assert.throws(
    () => parseFilefrag(`File size of ${A} is 1 (1 block of 1 bytes)\n 0: junk\n${A}: 1 extent found\n`, [A]),
    /unexpected filefrag output/,
  );
  assert.throws(() => parseFilefrag(`File size of ${A} is 1 (1 block of 1 bytes)\n`, [A]), /incomplete/);
  assert.throws(() => parseFilefrag('', [A]), /printed no extents/);
  assert.throws(
    () => parseFilefrag(`File size of ${A} is 1 (1 block of 1 bytes)\n${A}: FIBMAP: Operation not permitted\n`, [A]),
    /FIBMAP/,
  );
});
