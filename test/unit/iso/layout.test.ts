import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIsoName } from '../../../src/formats/iso9660.js';
import { encodeKargsRegion, parseKargsRegion, type KargsRegion } from '../../../src/iso/layout.js';
import { addAreaToBootConfig } from '../../../src/iso/rebuild.js';

const region = (length: number, pad = '#', end = '\n'): KargsRegion => ({
  offset: 0,
  length,
  pad,
  end,
  padGiven: false,
  endGiven: false,
});

test('ISO names: version suffix and trailing dot removed, bad characters refused', () => {
  assert.equal(parseIsoName(Buffer.from('IGNINFO.JSO;1')), 'IGNINFO.JSO');
  assert.equal(parseIsoName(Buffer.from('VMLINUZ.;1')), 'VMLINUZ');
  assert.equal(parseIsoName(Buffer.from('PXEBOOT')), 'PXEBOOT');
  assert.equal(parseIsoName(Buffer.from('A\0junk')), 'A');
  assert.throws(() => parseIsoName(Buffer.from('A\u00ffB', 'latin1')), /invalid character/);
});

test('kargs region: text + end + pad; at most length-1 bytes of text', () => {
  const r = region(16);
  const bytes = encodeKargsRegion('  a b  ', r);
  assert.equal(bytes.toString(), 'a b\n############');
  assert.equal(parseKargsRegion(bytes, r), 'a b');
  assert.equal(encodeKargsRegion('x'.repeat(15), r).toString(), 'x'.repeat(15) + '\n');
  assert.throws(() => encodeKargsRegion('x'.repeat(16), r), /kargs too large for area: 17 vs 16/);
  const s390 = region(8, '\0', '\0');
  assert.equal(parseKargsRegion(encodeKargsRegion('ab', s390), s390), 'ab');
});

test('rebuild leaves configs that already load the area alone', () => {
  assert.equal(addAreaToBootConfig('  append initrd=/a,/images/ignition.img\n', 'isolinux'), undefined);
});
