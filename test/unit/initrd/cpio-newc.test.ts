import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { writeNewc } from '../../../src/initrd/cpio-newc.js';
import { readNewc } from '../../helpers/buffered-initrd.js';
import { xzCrc32 } from '../../../src/initrd/xz-encoder.js';
import { runTool } from '../../helpers/system-tool.js';

test('worked example: config.ign of 34 bytes is a 284-byte cpio', () => {
  const cpio = writeNewc(new Map([['config.ign', Buffer.alloc(34, 0x61)]]));
  assert.equal(cpio.length, 284);
  // The reference's literal has two stray '0's (112 hex chars before the name; a newc header is
  // 110 bytes); its 284-byte total agrees with the 110-byte header checked here field by field.
  const fields = [0, 0o100600, 0, 0, 1, 0, 34, 0, 0, 0, 0, 11, 0].map((f) => f.toString(16).padStart(8, '0')).join('');
  assert.equal(fields.slice(8, 16), '00008180');
  assert.equal(cpio.subarray(0, 124).toString('latin1'), `070701${fields}config.ign\0\0\0\0`);
  assert.equal(cpio.subarray(160, 166).toString(), '070701');
  assert.match(cpio.subarray(160).toString('latin1'), /TRAILER!!!\0{4}$/);
});

test('xz output is byte-identical to `xz -9 -C crc32 -T1`', () => {
  const cpio = writeNewc(new Map([['config.ign', Buffer.from('{"ignition":{"version":"3.3.0"}}\n')]]));
  const ours = xzCrc32(cpio);
  const ref = runTool('xz', ['-9', '-C', 'crc32', '-T1', '-c'], { input: cpio });
  assert.deepEqual(ours, ref);
  assert.equal(ours.subarray(0, 8).toString('hex'), 'fd377a585a000001');
});

test('parent directories are emitted as upstream (directories unit test order)', () => {
  const files = ['a/b/c/d/e/f', 'c/a/b/d/f', 'c/a/c/f', 'c/f', 'c/g', 'd'];
  const cpio = writeNewc(new Map(files.map((f) => [f, Buffer.alloc(0)])));
  const { entries } = readNewc(cpio);
  assert.deepEqual(
    entries.map((e) => e.name),
    [
      'a',
      'a/b',
      'a/b/c',
      'a/b/c/d',
      'a/b/c/d/e',
      'a/b/c/d/e/f',
      'c',
      'c/a',
      'c/a/b',
      'c/a/b/d',
      'c/a/b/d/f',
      'c/a/c',
      'c/a/c/f',
      'c/f',
      'c/g',
      'd',
    ],
  );
  assert.equal(entries[0]!.mode, 0o040755);
  assert.equal(entries[5]!.mode, 0o100600);
});

test('GNU cpio can read what we write', () => {
  const cpio = writeNewc(new Map([['x/y', Buffer.from('hello')]]));
  const list = runTool('cpio', ['-it', '--quiet'], { input: cpio }).toString();
  assert.equal(list, 'x\nx/y\n');
});

test('writer + reader round trip (property)', () => {
  const name = fc.stringMatching(/^[a-z]{1,4}(\/[a-z]{1,4}){0,2}$/);
  fc.assert(
    fc.property(fc.dictionary(name, fc.uint8Array({ maxLength: 40 })), (dict) => {
      // A path can't be both a file and a parent directory of another file.
      const keys = Object.keys(dict).filter((k) => !Object.keys(dict).some((o) => o.startsWith(k + '/')));
      const files = new Map(keys.map((k) => [k, Buffer.from(dict[k]!)]));
      const { entries } = readNewc(writeNewc(files));
      const back = new Map(entries.filter((e) => (e.mode & 0o170000) === 0o100000).map((e) => [e.name, e.data]));
      assert.deepEqual([...back.keys()].sort(), [...files.keys()].sort());
      for (const [k, v] of files) assert.deepEqual(back.get(k), v);
    }),
  );
});

test('reader rejects truncated and corrupt archives clearly', () => {
  const cpio = writeNewc(new Map([['a', Buffer.from('data')]]));
  assert.throws(() => readNewc(cpio.subarray(0, 50)), /truncated cpio header/);
  assert.throws(() => readNewc(cpio.subarray(0, 116)), /truncated cpio/);
  const bad = Buffer.from(cpio);
  bad.write('zzzzzzzz', 6 + 6 * 8, 'latin1');
  assert.throws(() => readNewc(bad), /bad cpio header field/);
  const huge = Buffer.from(cpio);
  huge.write('7fffffff', 6 + 6 * 8, 'latin1');
  assert.throws(() => readNewc(huge), /truncated cpio data/);
});
