/**
 * A regular file as the install target: written by an unprivileged user (user nobody; debugfs
 * edits the boot file system), created at --dest-size, and not left behind when the install fails.
 */
import assert from 'node:assert/strict';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { runCli } from '../../helpers/cli.js';
import { MAIN_JS } from '../../helpers/paths.js';
import { MIB, debugfsCat, debugfsStat } from './fixture.js';
import { IGNITION, bootOffset, useSignedImages } from './signed-images.js';

const images = useSignedImages('inst-file-', [512]);

test('regular-file target without root (user nobody), new file sized by --dest-size', async () => {
  const out = join(images().dir, 'nobody-out');
  await mkdir(out);
  await run('chown', ['nobody:nogroup', out]);
  const target = join(out, 'vm.img');
  const args = [
    'install',
    target,
    '--dest-size',
    '64M',
    '-f',
    `${images().image(512).raw}.xz`,
    '--trusted-key',
    images().pub,
    '-i',
    images().ignition,
    '--platform',
    'qemu',
    '--console',
    'ttyS0,115200n8',
    '--append-karg',
    'nobody=1',
  ];
  const r = await run(
    'setpriv',
    ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, MAIN_JS, ...args],
    { okExitCodes: [1, 2] },
  );
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /Install complete\./);
  const st = await stat(target);
  assert.equal(st.size, 64 * MIB);
  assert.equal(st.uid, 65534);
  const off = await bootOffset(target, 512);
  const bls = await debugfsCat(target, off, '/loader/entries/ostree-1-nestos.conf');
  assert.match(bls, /ignition\.platform\.id=qemu .*console=ttyS0,115200n8 nobody=1/);
  assert.equal(await debugfsCat(target, off, '/ignition/config.ign'), IGNITION.toString());
  const s = await debugfsStat(target, off, '/ignition/config.ign');
  assert.match(s, /Mode:\s+0600/);
  assert.match(s, /User:\s+0\s+Group:\s+0/);
  assert.match(await debugfsCat(target, off, '/loader/grub.cfg'), /nobody=1/);
  assert.match(await debugfsCat(target, off, '/grub/grub.cfg'), /serial --unit=0 --speed=115200 --word=8 --parity=no/);
  const fsck = await run('e2fsck', ['-fn', `${target}?offset=${off}`], { okExitCodes: [0, 1, 4, 8] });
  assert.equal(fsck.exitCode, 0, fsck.stdout + fsck.stderr);
});

test('a failed install to a new file leaves no file behind', async () => {
  const out = join(images().dir, 'nofile');
  await mkdir(out);
  const target = join(out, 'vm.img');
  const r = await runCli([
    'install',
    target,
    '-f',
    join(images().dir, 'missing.raw.xz'),
    '--trusted-key',
    images().pub,
    '--insecure',
  ]);
  assert.equal(r.code, 1);
  await assert.rejects(stat(target));
});
