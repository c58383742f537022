/** The date a `--rebuild` output is stamped with comes from the input's volume descriptor. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FALLBACK_EPOCH, parseVolumeDate } from '../../../src/iso/volume-date.js';
import { fixedAttributes } from '../../../src/iso/rebuild.js';

const field = (digits: string, quarters = 0): Buffer => {
  const b = Buffer.alloc(17);
  b.write(digits, 0, 'latin1');
  b.writeInt8(quarters, 16);
  return b;
};

test('ECMA-119 volume dates: GMT digits, zone offset in quarter hours, unset or invalid → undefined', () => {
  assert.equal(parseVolumeDate(field('2026112200562300')), Date.UTC(2026, 10, 22, 0, 56, 23) / 1000);
  // 02:56:23 at GMT+2 (8 quarters) is 00:56:23 GMT
  assert.equal(parseVolumeDate(field('2026112202562300', 8)), Date.UTC(2026, 10, 22, 0, 56, 23) / 1000);
  assert.equal(parseVolumeDate(field('2026112200562300', -4)), Date.UTC(2026, 10, 22, 1, 56, 23) / 1000);
  assert.equal(parseVolumeDate(field('0000000000000000')), undefined);
  assert.equal(parseVolumeDate(Buffer.alloc(17)), undefined);
  assert.equal(parseVolumeDate(field('2026130100000000')), undefined);
  assert.equal(parseVolumeDate(field('19600101000000 0')), undefined);
  assert.equal(parseVolumeDate(field('2026112200562300', 100)), undefined);
  assert.equal(parseVolumeDate(Buffer.alloc(3)), undefined);
  assert.equal(FALLBACK_EPOCH, Date.UTC(2000, 0, 1) / 1000);
});

test('added rebuild paths get owner 0, fixed modes and the volume date', () => {
  assert.deepEqual(fixedAttributes(['/images/ignition.img', '/coreos/igninfo.json'], ['/coreos'], 1234), [
    '-chown',
    '0',
    '/coreos',
    '/images/ignition.img',
    '/coreos/igninfo.json',
    '--',
    '-chgrp',
    '0',
    '/coreos',
    '/images/ignition.img',
    '/coreos/igninfo.json',
    '--',
    '-chmod',
    '0644',
    '/images/ignition.img',
    '/coreos/igninfo.json',
    '--',
    '-chmod',
    '0755',
    '/coreos',
    '--',
    '-alter_date',
    'b',
    '=1234',
    '/coreos',
    '/images/ignition.img',
    '/coreos/igninfo.json',
    '--',
  ]);
  assert.ok(!fixedAttributes(['/a'], [], 1).includes('0755'));
});
