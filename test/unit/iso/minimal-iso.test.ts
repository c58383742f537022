// The minimal ISO's kernel arguments and kargs.json, as upstream rewrites them: the liveiso karg
// removed as a plain substring, the rootfs URL karg appended, kargs.json's default without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimalIsoKargs, rewriteKargsJson } from '../../../src/iso/minimal-iso.js';

const FCOS =
  'mitigations=auto,nosmt coreos.liveiso=fedora-coreos-38.20230718.dev.0 ignition.firstboot ignition.platform.id=metal';

test('liveiso karg removed; rootfs URL appended with the same prefix', () => {
  const plain = 'mitigations=auto,nosmt ignition.firstboot ignition.platform.id=metal';
  assert.deepEqual(minimalIsoKargs(FCOS, undefined), { kargs: plain, defaults: plain });
  assert.deepEqual(minimalIsoKargs(FCOS, ' https://example.com/rootfs '), {
    kargs: `${plain} coreos.live.rootfs_url=https://example.com/rootfs`,
    defaults: plain,
  });
  assert.equal(
    minimalIsoKargs('nestos.liveiso=X quiet', 'http://h/r').kargs,
    'quiet nestos.live.rootfs_url=http://h/r',
  );
});

test('every copy of the first liveiso token goes; other liveiso values stay', () => {
  assert.equal(
    minimalIsoKargs('coreos.liveiso=A x coreos.liveiso=A coreos.liveiso=B', undefined).kargs,
    'x coreos.liveiso=B',
  );
});

test('errors: no liveiso karg, whitespace in the URL', () => {
  assert.throws(
    () => minimalIsoKargs('quiet', undefined),
    /minimal ISO does not have nestos\.liveiso= or coreos\.liveiso= karg/,
  );
  assert.throws(() => minimalIsoKargs(FCOS, 'http://a b'), /forbidden whitespace found in 'http:\/\/a b'/);
});

test('kargs.json: serde pretty layout, keys in upstream order, unknown keys dropped, padded with spaces', () => {
  const original = Buffer.from(
    `${JSON.stringify({
      files: [
        { offset: 7, path: 'isolinux/isolinux.cfg', extra: 1 },
        { end: '\n', path: 'EFI/BOOT/grub.cfg', offset: 9, pad: '#' },
      ],
      default: FCOS,
      size: 1139,
      junk: true,
    })}\n${' '.repeat(100)}`,
  );
  const out = rewriteKargsJson(original, 'COREOS/KARGS.JSO', 'a b');
  assert.equal(out.length, original.length);
  const text = out.toString('utf8');
  assert.equal(
    text.trimEnd(),
    `{
  "default": "a b",
  "files": [
    {
      "path": "isolinux/isolinux.cfg",
      "offset": 7
    },
    {
      "path": "EFI/BOOT/grub.cfg",
      "offset": 9,
      "pad": "#",
      "end": "\\n"
    }
  ],
  "size": 1139
}`,
  );
  assert.match(text, /\} +$/);
  assert.throws(
    () => rewriteKargsJson(Buffer.from('{"default":"","files":[],"size":1}'), 'COREOS/KARGS.JSO', 'x'.repeat(50)),
    /New version of COREOS\/KARGS\.JSO does not fit in space \(\d+ vs 34\)/,
  );
});
