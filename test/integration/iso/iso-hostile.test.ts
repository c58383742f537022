/** Malformed ISOs give clear errors, never a crash or a hang. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { buildFixtureIso, patchedCopy } from '../../helpers/iso-fixture.js';
import { Iso9660 } from '../../../src/formats/iso9660.js';
import { xzCrc32 } from '../../../src/initrd/xz-encoder.js';
import { writeNewc } from '../../../src/initrd/cpio-newc.js';

const f = buildFixtureIso();
const CONFIG = '{"ignition":{"version":"3.3.0"}}';

/** Absolute offset of the directory record named `name` inside directory `dirPath`. */
function recordOffset(iso: string, dirPath: string, name: string): number {
  const fd = openSync(iso, 'r');
  try {
    const r = new Iso9660(fd, statSync(iso).size);
    const dir = dirPath === '' ? r.root : r.lookup(dirPath);
    const data = r.read(dir.offset, dir.length);
    for (let pos = 0; pos < data.length;) {
      const len = data[pos]!;
      if (len === 0) {
        pos = (Math.floor(pos / 2048) + 1) * 2048;
        continue;
      }
      const nm = data.toString('latin1', pos + 33, pos + 33 + data[pos + 32]!);
      if (nm.replace(/;1$/, '') === name) return dir.offset + pos;
      pos += len;
    }
    throw new Error(`no record ${name}`);
  } finally {
    closeSync(fd);
  }
}

function u32both(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(n, 0);
  b.writeUInt32BE(n, 4);
  return b;
}

async function expectError(args: string[], re: RegExp) {
  const r = await runCli(args, { input: CONFIG, timeoutMs: 20_000 });
  assert.equal(r.signal, null, 'must not hang');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, re);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
}

test('truncated ISO: ISO image is incomplete', async () => {
  const t = patchedCopy(f.iso, join(f.dir, 'trunc.iso'), [], statSync(f.iso).size - 8192);
  await expectError(['iso', 'ignition', 'embed', t], /ISO image is incomplete/);
  const tiny = patchedCopy(f.iso, join(f.dir, 'tiny.iso'), [], 40000);
  await expectError(['iso', 'ignition', 'show', tiny], /ISO image is incomplete|past the end/);
});

test('not an ISO at all', async () => {
  const p = join(f.dir, 'zeros.iso');
  writeFileSync(p, Buffer.alloc(64 * 1024));
  await expectError(['iso', 'ignition', 'show', p], /not an ISO 9660 image/);
});

test('directory loop is detected, lookups stay bounded', async () => {
  const root = (() => {
    const fd = openSync(f.iso, 'r');
    try {
      return new Iso9660(fd, statSync(f.iso).size).root;
    } finally {
      closeSync(fd);
    }
  })();
  const at = recordOffset(f.iso, 'IMAGES', 'PXEBOOT');
  const loop = patchedCopy(f.iso, join(f.dir, 'loop.iso'), [
    { offset: at + 2, data: u32both(root.extent) },
    { offset: at + 10, data: u32both(root.length) },
  ]);
  await expectError(['dev', 'show', 'iso', loop], /directory loop detected/);
  // The Ignition area is still found: lookups only follow the path.
  const r = await runCli(['dev', 'show', 'iso', '--ignition', loop]);
  assert.equal(r.code, 0, r.stderr);
});

test('extent past the end of the file', async () => {
  const at = recordOffset(f.iso, 'IMAGES', 'IGNITION.IMG');
  const bad = patchedCopy(f.iso, join(f.dir, 'extent.iso'), [{ offset: at + 2, data: u32both(0x00ffffff) }]);
  await expectError(['iso', 'ignition', 'embed', bad], /past the end of the image/);
  const at2 = recordOffset(f.iso, 'COREOS', 'KARGS.JSO');
  const bad2 = patchedCopy(f.iso, join(f.dir, 'len.iso'), [{ offset: at2 + 10, data: u32both(0x7fffffff) }]);
  await expectError(['iso', 'kargs', 'show', bad2], /past the end of the image/);
});

test('directory record running past its directory / invalid names', async () => {
  const at = recordOffset(f.iso, 'COREOS', 'KARGS.JSO');
  const bad = patchedCopy(f.iso, join(f.dir, 'reclen.iso'), [{ offset: at, data: Buffer.from([20]) }]);
  await expectError(['iso', 'kargs', 'show', bad], /directory record too short/);
  const bad2 = patchedCopy(f.iso, join(f.dir, 'name.iso'), [
    { offset: at + 33, data: Buffer.from('K\u00ff', 'latin1') },
  ]);
  await expectError(['iso', 'kargs', 'show', bad2], /invalid character in ISO 9660 file name/);
});

test('garbage in the embed area: decoding initrd embed area', async () => {
  const area = JSON.parse((await runCli(['dev', 'show', 'iso', '--ignition', f.iso])).stdout.toString()) as {
    offset: number;
  };
  const bad = patchedCopy(f.iso, join(f.dir, 'garbage.iso'), [
    { offset: area.offset, data: Buffer.from('not a cpio archive') },
  ]);
  await expectError(['iso', 'ignition', 'show', bad], /decoding initrd embed area/);
  const before = readFileSync(bad);
  await expectError(['iso', 'ignition', 'embed', bad], /decoding initrd embed area/);
  assert.deepEqual(readFileSync(bad), before);
});

test('decompression bomb in the embed area fails cleanly', async () => {
  const area = JSON.parse((await runCli(['dev', 'show', 'iso', '--ignition', f.iso])).stdout.toString()) as {
    offset: number;
  };
  // A valid archive, then zeros past the cap inside the same xz stream.
  const bomb = xzCrc32(Buffer.concat([writeNewc(new Map([['a', Buffer.from('x')]])), Buffer.alloc(300 * 1024 * 1024)]));
  const bad = patchedCopy(f.iso, join(f.dir, 'bomb.iso'), [{ offset: area.offset, data: bomb }]);
  await expectError(['iso', 'ignition', 'show', bad], /decoding initrd embed area[\s\S]*decompresses to more than/);
  // Only zeros: refused at the first header, before the rest is decompressed.
  const zeros = patchedCopy(f.iso, join(f.dir, 'zeros-bomb.iso'), [
    { offset: area.offset, data: xzCrc32(Buffer.alloc(300 * 1024 * 1024)) },
  ]);
  await expectError(['iso', 'ignition', 'show', zeros], /decoding initrd embed area[\s\S]*bad cpio magic at offset 0/);
});

test('hostile kargs.json: size above 2048 and regions that disagree', async () => {
  const at = recordOffset(f.iso, 'COREOS', 'KARGS.JSO');
  const fd = openSync(f.iso, 'r');
  let kargsAt: number;
  try {
    const r = new Iso9660(fd, statSync(f.iso).size);
    kargsAt = r.lookup('COREOS/KARGS.JSO').offset;
  } finally {
    closeSync(fd);
  }
  void at;
  const text = readFileSync(f.iso)
    .subarray(kargsAt, kargsAt + 400)
    .toString('latin1');
  const sizeAt = kargsAt + text.indexOf('"size":1139') + 7;
  const big = patchedCopy(f.iso, join(f.dir, 'bigsize.iso'), [{ offset: sizeAt, data: Buffer.from('9999') }]);
  await expectError(['iso', 'kargs', 'show', big], /karg embed area size larger than 2048 \(found 9999\)/);
  const info = JSON.parse((await runCli(['dev', 'show', 'iso', '--kargs', f.iso])).stdout.toString()) as {
    kargs: Array<{ offset: number }>;
  };
  const second = info.kargs[1]!.offset;
  const differ = patchedCopy(f.iso, join(f.dir, 'differ.iso'), [{ offset: second, data: Buffer.from('X') }]);
  await expectError(
    ['iso', 'kargs', 'show', differ],
    /kargs don't match at all offsets! \(expected '.*', but offset \d+ has: 'Xitigations/,
  );
});
