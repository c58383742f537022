/** iso extract pxe, deprecated spellings, dev show iso, and the terminal refusal of binary output. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { MAIN_JS } from '../../helpers/paths.js';
import { buildFixtureIso } from '../../helpers/iso-fixture.js';

const f = buildFixtureIso();
const CONFIG = '{"ignition":{"version":"3.3.0"}}';

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

test('hidden deprecated iso embed/show/remove still work, with a notice', async () => {
  const g = buildFixtureIso();
  const e = await runCli(['iso', 'embed', g.iso], { input: CONFIG });
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stderr, /deprecated/);
  const s = await runCli(['iso', 'show', g.iso]);
  assert.equal(s.stdout.toString(), CONFIG);
  assert.equal((await runCli(['iso', 'remove', g.iso])).code, 0);
  const help = await runCli(['iso', '--help']);
  assert.doesNotMatch(help.stdout.toString() + help.stderr, /iso embed <iso>/);
});

test('dev show iso lists descriptors and records', async () => {
  const r = await runCli(['dev', 'show', 'iso', f.iso]);
  const j = JSON.parse(r.stdout.toString()) as { header: { descriptors: Array<{ type: string; volume_id?: string }> }; records: string[] };
  assert.equal(j.header.descriptors[0]!.type, 'primary');
  assert.equal(j.header.descriptors[0]!.volume_id, 'NESTOS_FIXTURE');
  assert.ok(j.records.includes('COREOS/IGNINFO.JSO'));
  assert.ok(j.records.includes('IMAGES/PXEBOOT/VMLINUZ'));
});

test('binary output to a terminal is refused', (t) => {
  const script = spawnSync('which', ['script']);
  if (script.status !== 0) {
    t.skip('script(1) not available to provide a terminal');
    return;
  }
  for (const cmd of [`iso ignition embed -i /dev/null --no-validate -o - ${f.iso}`, 'pxe network wrap -k /dev/null']) {
    let out: string;
    try {
      out = execFileSync('script', ['-qec', `node ${MAIN_JS} ${cmd}`, '/dev/null'], { encoding: 'utf8' });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? '');
    }
    assert.match(out, /Refusing to write binary data to terminal/, cmd);
  }
});
