import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { compress as zstd } from 'zstd-napi';
import { writeNewc } from '../../../src/initrd/cpio-newc.js';
import { collectInitrd } from '../../../src/initrd/collect.js';
import { globFilter } from '../../../src/formats/glob.js';
import { xzCrc32 } from '../../../src/initrd/xz-encoder.js';
import { runTool } from '../../helpers/system-tool.js';

const readInitrd = (initrd: Buffer) => collectInitrd(Readable.from([initrd]), () => true);

const arch = (name: string, text: string) => writeNewc(new Map([[name, Buffer.from(text)]]));

function gnuCpio(files: Record<string, string>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'gnucpio-'));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return runTool('sh', ['-c', 'find . -mindepth 1 | sort | cpio -o -H newc --quiet'], { cwd: dir });
}

test('concatenated raw (GNU, upper-case hex), gzip, xz, zstd, raw with zero padding; last duplicate wins', async () => {
  const gnu = gnuCpio({ 'etc/a': 'raw\n' });
  assert.match(gnu.subarray(0, 14).toString(), /^070701[0-9A-F]{8}$/);
  const initrd = Buffer.concat([
    gnu,
    Buffer.alloc(512),
    gzipSync(arch('data/file', 'first\n')),
    xzCrc32(arch('data/file', 'second\n')),
    Buffer.alloc(4),
    zstd(arch('z', 'zstd\n')),
    arch('data/file', 'third\n'),
  ]);
  const files = await readInitrd(initrd);
  assert.deepEqual([...files.keys()], ['data/file', 'etc/a', 'z']);
  assert.equal(files.get('data/file')!.toString(), 'third\n');
  assert.equal(files.get('z')!.toString(), 'zstd\n');
});

test('padded names (dracut --data-align) lose their NUL padding', async () => {
  const cpio = Buffer.from(arch('abc', 'x'));
  // namesize 4 → 8 with extra NULs: rebuild header by hand
  const name = Buffer.from('abc\0\0\0\0\0');
  const fields = [0, 0o100644, 0, 0, 1, 0, 1, 0, 0, 0, 0, name.length, 0]
    .map((f) => f.toString(16).padStart(8, '0'))
    .join('');
  const head = Buffer.concat([Buffer.from('070701' + fields), name]);
  const entry = Buffer.concat([head, Buffer.alloc((4 - (head.length % 4)) % 4), Buffer.from('x\0\0\0')]);
  const trailer = cpio.subarray(cpio.indexOf('070701', 1));
  const files = await readInitrd(Buffer.concat([entry, trailer]));
  assert.deepEqual([...files.keys()], ['abc']);
});

test('garbage after the trailer inside a compressed archive is refused', async () => {
  const inner = Buffer.concat([arch('a', 'x'), Buffer.from('garbage!')]);
  await assert.rejects(readInitrd(xzCrc32(inner)), /found trailing garbage inside compressed archive/);
  await assert.rejects(readInitrd(gzipSync(inner)), /found trailing garbage inside compressed archive/);
  // zeros are fine
  assert.equal((await readInitrd(xzCrc32(Buffer.concat([arch('a', 'x'), Buffer.alloc(64)])))).size, 1);
});

test('trailing garbage after a compressed stream and truncation fail clearly', async () => {
  const xz = xzCrc32(arch('a', 'x'));
  await assert.rejects(readInitrd(Buffer.concat([xz, Buffer.from('junk')])), /bad cpio magic|truncated cpio/);
  await assert.rejects(readInitrd(xz.subarray(0, xz.length - 6)), /unexpected end of compressed stream/);
  const gz = gzipSync(arch('a', 'x'));
  await assert.rejects(readInitrd(gz.subarray(0, gz.length - 3)), /unexpected end|gzip/);
});

test('globs: * matches /', () => {
  const f = globFilter(['etc/coreos-firstboot-network/*']);
  assert.ok(f('etc/coreos-firstboot-network/a/b'));
  assert.ok(!f('etc/other/a'));
  assert.ok(globFilter([])('anything'));
});
