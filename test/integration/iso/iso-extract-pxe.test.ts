/** iso extract pxe: <stem>-<name> files, created new, and a missing output directory made, as upstream. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { buildFixtureIso } from '../../helpers/iso-fixture.js';

const f = buildFixtureIso();

test('iso extract pxe writes <stem>-<name> files, create-new', async () => {
  const out = join(f.dir, 'pxe');
  mkdirSync(out);
  const r = await runCli(['iso', 'extract', 'pxe', '-o', out, f.iso]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['fixture-initrd.img', 'fixture-rootfs.img', 'fixture-vmlinuz']);
  assert.deepEqual(readFileSync(join(out, 'fixture-vmlinuz')), Buffer.alloc(4096, 0x4b));
  assert.equal(r.stdout.toString().trim().split('\n').length, 3);
  const again = await runCli(['iso', 'extract', 'pxe', '-o', out, f.iso]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /exists/);
});

test('iso extract pxe -o creates a missing output directory, as upstream', async () => {
  const out = join(f.dir, 'new', 'pxe-out');
  const r = await runCli(['iso', 'extract', 'pxe', '-o', out, f.iso]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['fixture-initrd.img', 'fixture-rootfs.img', 'fixture-vmlinuz']);
  assert.deepEqual(readFileSync(join(out, 'fixture-rootfs.img')), Buffer.alloc(16384, 0x52));
});
