/**
 * The live-environment path: kargs from a cmdline file + installer.d config files install the
 * image carried on the "live media" (an image dir), verified like any other source.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { createGpgKey, type GpgKey } from '../../helpers/gpg.js';
import { runCli } from '../../helpers/cli.js';
import { buildTestImage, compress, debugfsCat, readGptOfFile } from './fixture.js';

let dir: string;
let key: GpgKey;
let pub: string;
let imageDir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inst-live-'));
  key = createGpgKey();
  pub = join(dir, 'key.pub.asc');
  await writeFile(pub, key.publicArmored);
  const img = await buildTestImage(dir, 512);
  const xz = await compress(img.raw, 'xz');
  imageDir = join(dir, 'media');
  await mkdir(imageDir);
  await copyFile(xz, join(imageDir, 'nestos-test-metal.x86_64.raw.xz'));
  await writeFile(join(imageDir, 'nestos-test-metal.x86_64.raw.xz.sig'), key.signBinary(await readFile(xz)));
  await writeFile(join(dir, 'config.ign'), '{"ignition":{"version":"3.4.0"}}\n');
});

after(async () => {
  key?.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('kargs + installer.d config install the live media image', async () => {
  const file = join(dir, 'target.img');
  await run('truncate', ['-s', '64M', file]);
  const dev = (await run('losetup', ['--show', '-f', file])).stdout.trim();
  try {
    const cmdline = join(dir, 'cmdline');
    await writeFile(
      cmdline,
      `BOOT_IMAGE=/vmlinuz nestos.inst.install_dev=${dev} nestos.inst.platform_id=qemu nestos.inst.skip_reboot quiet\n`,
    );
    const confDir = join(dir, 'installer.d');
    await mkdir(confDir, { recursive: true });
    await writeFile(
      join(confDir, '10-base.yaml'),
      `ignition-file: ${join(dir, 'config.ign')}\nappend-karg: [live=1]\n`,
    );
    await writeFile(join(confDir, '20-more.yaml'), 'append-karg: [live=2]\n');
    const base = [
      'install-service',
      '--cmdline',
      cmdline,
      '--config-dir',
      confDir,
      '--config-dir',
      join(dir, 'none.d'),
      '--image-dir',
      imageDir,
      '--trusted-key',
      pub,
    ];
    const dry = await runCli([...base, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout.toString(), /source: .*nestos-test-metal\.x86_64\.raw\.xz/);
    assert.ok(existsSync(join(confDir, '10-base.yaml')), 'a dry run keeps the installer configs');
    const r = await runCli(base);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Install complete\./);
    assert.equal(existsSync(confDir), false, 'installer configs are removed after a successful install, as upstream');
  } finally {
    await run('losetup', ['-d', dev]).catch(() => undefined);
  }
  const gpt = await readGptOfFile(file, 512);
  const off = gpt.entries.find((e) => e.name === 'boot')!.firstLba * 512;
  const bls = await debugfsCat(file, off, '/loader/entries/ostree-1-nestos.conf');
  assert.match(bls, /^options .*ignition\.platform\.id=qemu.* live=1 live=2$/m);
  assert.match(await debugfsCat(file, off, '/ignition/config.ign'), /3\.4\.0/);
});

test('no install kargs and no configs: nothing to do, exit 0', async () => {
  const cmdline = join(dir, 'cmdline-none');
  await writeFile(cmdline, 'quiet\n');
  const r = await runCli([
    'install-service',
    '--cmdline',
    cmdline,
    '--config-dir',
    join(dir, 'empty.d'),
    '--image-dir',
    imageDir,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /nothing to do/);
});

test('install-service is hidden from --help', async () => {
  const r = await runCli(['--help']);
  assert.doesNotMatch(r.stdout.toString() + r.stderr, /install-service/);
  assert.match(r.stdout.toString() + r.stderr, /install \[device\]/);
});
