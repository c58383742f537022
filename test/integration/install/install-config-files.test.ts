/**
 * Install config files (-c/--config-file) merged as upstream: repeatables accumulate, the command
 * line last; an unknown key and conflicting sources are rejected.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { runCli } from '../../helpers/cli.js';
import { debugfsCat } from './fixture.js';
import { bootOffset, useSignedImages, withLoop } from './signed-images.js';

const images = useSignedImages('inst-config-', [512]);

test('config files merge as upstream (repeatables accumulate, CLI last)', async () => {
  const c1 = join(images().dir, 'c1.yaml');
  const c2 = join(images().dir, 'c2.yaml');
  await writeFile(
    c1,
    `image-file: ${images().image(512).raw}.xz\nappend-karg: [c, d]\nplatform: qemu\nconsole: [ttyS0]\ntrusted-key: [${images().pub}]\n`,
  );
  await writeFile(c2, `append-karg: [e]\nfetch-retries: 2\n`);
  const file = join(images().dir, 'cfg.img');
  await run('truncate', ['-s', '64M', file]);
  await withLoop(file, 512, async (dev) => {
    const r = await runCli([
      'install',
      dev,
      '-c',
      c1,
      '--config-file',
      c2,
      '--append-karg',
      'a',
      '-i',
      images().ignition,
    ]);
    assert.equal(r.code, 0, r.stderr);
    // The effective install once per value, in upstream's order (not each source in turn).
    assert.match(
      r.stderr,
      /Running with arguments: --image-file \S+ --ignition-file \S+ --platform qemu --console ttyS0,9600n8 --append-karg c --append-karg d --append-karg e --append-karg a --fetch-retries 2 --trusted-key \S+ \/dev\/loop\d+\n/,
    );
  });
  const off = await bootOffset(file, 512);
  const bls = await debugfsCat(file, off, '/loader/entries/ostree-1-nestos.conf');
  assert.match(bls, /^options .*ignition\.platform\.id=qemu .*console=ttyS0,9600n8 c d e a$/m);
  const menu = await debugfsCat(file, off, '/loader/grub.cfg');
  assert.match(menu, /console=ttyS0,9600n8 c d e a/);
  await rm(file, { force: true });
});

test('config file: unknown key and conflicting sources are rejected', async () => {
  const bad = join(images().dir, 'bad.yaml');
  await writeFile(bad, 'no-such-option: 1\n');
  let r = await runCli(['install', '/dev/null', '-c', bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /parsing config file .*bad\.yaml/);
  const c = join(images().dir, 'conflict.yaml');
  await writeFile(c, 'stream: stable\n');
  r = await runCli(['install', '/dev/null', '-c', c, '--image-url', 'https://example.invalid/x.raw.xz']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /cannot be used with/);
});
