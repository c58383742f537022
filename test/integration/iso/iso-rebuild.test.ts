/** `iso ignition embed --rebuild`: a plain live ISO gains an embed area and boots with its config. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { IMAGES_DIR } from '../../helpers/paths.js';
import { bootProbe } from '../../helpers/qemu.js';
import { buildFixtureIso, buildPlainBootableIso } from '../../helpers/iso-fixture.js';
import { addAreaToBootConfig } from '../../../src/iso/rebuild.js';

const CONFIG = JSON.stringify({
  ignition: { version: '3.3.0' },
  storage: { files: [{ path: '/etc/rebuilt', contents: { source: 'data:,yes' } }] },
});
const CONFIG_SHA = createHash('sha256').update(CONFIG).digest('hex');

function isoFile(iso: string, path: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'isof-'));
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', path, join(dir, 'f')], { stdio: 'ignore' });
  return readFileSync(join(dir, 'f'), 'utf8');
}

test('boot config editing: isolinux initrd= lists, INITRD directive, grub initrd lines', () => {
  assert.equal(
    addAreaToBootConfig('  append initrd=/a.img,/b.img quiet\n', 'isolinux'),
    '  append initrd=/a.img,/b.img,/images/ignition.img quiet\n',
  );
  assert.equal(addAreaToBootConfig('  INITRD /a.img\n', 'isolinux'), '  INITRD /a.img,/images/ignition.img\n');
  assert.equal(addAreaToBootConfig('\tinitrd /a /b\n', 'grub'), '\tinitrd /a /b /images/ignition.img\n');
  assert.equal(addAreaToBootConfig('linux /vmlinuz\n', 'grub'), undefined);
});

test('plain fixture ISO: --rebuild adds the area, config round-trips, then behaves like CoreOS', async () => {
  const f = buildFixtureIso({ plain: true });
  const plain = await runCli(['iso', 'ignition', 'embed', f.iso], { input: CONFIG });
  assert.match(plain.stderr, /Unrecognized CoreOS ISO image\./);
  const out = join(f.dir, 'rebuilt.iso');
  const r = await runCli(['iso', 'ignition', 'embed', '--rebuild', '-o', out, f.iso], { input: CONFIG });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await runCli(['iso', 'ignition', 'show', out])).stdout.toString(), CONFIG);
  assert.match(
    isoFile(out, '/isolinux/isolinux.cfg'),
    /initrd=\/images\/pxeboot\/initrd\.img,\/images\/ignition\.img /,
  );
  assert.match(isoFile(out, '/EFI/BOOT/grub.cfg'), /initrd \/images\/pxeboot\/initrd\.img \/images\/ignition\.img\n/);
  const again = await runCli(['iso', 'ignition', 'embed', '--rebuild', '-o', out, f.iso], { input: CONFIG });
  assert.match(again.stderr, /File exists/);
  await runCli(['iso', 'ignition', 'remove', out]);
  const dev = JSON.parse((await runCli(['dev', 'show', 'iso', '--ignition', out])).stdout.toString()) as {
    length: number;
  };
  assert.equal(dev.length, 262144);
  const inplace = await runCli(['iso', 'ignition', 'embed', '--rebuild', f.iso], { input: CONFIG });
  assert.equal(inplace.code, 0, inplace.stderr);
  assert.equal((await runCli(['iso', 'ignition', 'show', f.iso])).stdout.toString(), CONFIG);
});

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Rebuilds `iso` in place, with -o FILE and with -o -, and again a second later; returns the hashes. */
async function rebuildAllModes(iso: string, dir: string): Promise<string[]> {
  const cfg = join(dir, 'config.ign');
  writeFileSync(cfg, CONFIG);
  const inplace = join(dir, 'inplace.iso');
  copyFileSync(iso, inplace);
  const hashes: string[] = [];
  const r1 = await runCli(['iso', 'ignition', 'embed', '--rebuild', '-i', cfg, inplace]);
  assert.equal(r1.code, 0, r1.stderr);
  hashes.push(sha(readFileSync(inplace)));
  for (const name of ['first.iso', 'second.iso']) {
    await sleep(1100); // a new second on the clock: nothing may depend on it
    const r = await runCli(['iso', 'ignition', 'embed', '--rebuild', '-i', cfg, '-o', join(dir, name), iso]);
    assert.equal(r.code, 0, r.stderr);
    hashes.push(sha(readFileSync(join(dir, name))));
  }
  const r3 = await runCli(['iso', 'ignition', 'embed', '--rebuild', '-i', cfg, '-o', '-', iso]);
  assert.equal(r3.code, 0, r3.stderr);
  hashes.push(sha(r3.stdout));
  return hashes;
}

test('--rebuild is reproducible: in place, -o FILE, -o - and a later run give identical bytes', async () => {
  const f = buildFixtureIso({ plain: true });
  try {
    const before = sha(readFileSync(f.iso));
    const hashes = await rebuildAllModes(f.iso, f.dir);
    assert.equal(new Set(hashes).size, 1, hashes.join(' '));
    assert.equal(sha(readFileSync(f.iso)), before, 'input untouched by -o');
    assert.equal((await runCli(['iso', 'ignition', 'show', join(f.dir, 'first.iso')])).stdout.toString(), CONFIG);
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test(
  '--rebuild of a bootable (El Torito + isohybrid MBR/GPT) plain ISO is reproducible in all modes',
  { timeout: 300_000 },
  async (t) => {
    const sample = join(IMAGES_DIR, 'nestos-sample-live.x86_64.iso');
    if (!existsSync(sample)) {
      if (process.env['CI']) throw new Error('missing sample live ISO');
      t.skip('missing sample live ISO; run npm run images');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'rebuild-repro-'));
    try {
      const plain = buildPlainBootableIso(sample, dir);
      const hashes = await rebuildAllModes(plain, dir);
      assert.equal(new Set(hashes).size, 1, hashes.join(' '));
      // the GPT disk GUID is derived from the volume date, not drawn at random
      const gpt = readFileSync(join(dir, 'first.iso')).subarray(512, 1024);
      assert.equal(gpt.toString('latin1', 0, 8), 'EFI PART');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

for (const firmware of ['bios', 'uefi'] as const) {
  test(`rebuilt plain live ISO boots under ${firmware} with its embedded config`, { timeout: 300_000 }, async (t) => {
    const sample = join(IMAGES_DIR, 'nestos-sample-live.x86_64.iso');
    if (!existsSync(sample)) {
      if (process.env['CI']) throw new Error('missing sample live ISO');
      t.skip('missing sample live ISO; run npm run images');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'rebuild-boot-'));
    try {
      const plain = buildPlainBootableIso(sample, dir);
      const before = await bootProbe({ firmware, iso: plain });
      assert.equal(before.probe.ignition_sha256, null);
      const r = await runCli(['iso', 'ignition', 'embed', '--rebuild', plain], { input: CONFIG });
      assert.equal(r.code, 0, r.stderr);
      const { probe } = await bootProbe({ firmware, iso: plain });
      assert.equal(probe.ignition_sha256, CONFIG_SHA);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
