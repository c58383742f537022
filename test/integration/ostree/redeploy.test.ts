// The installed system is a real ostree sysroot: a later `ostree admin deploy` of a newer commit
// (images/make-commit.sh, on a copy of the sample repo) succeeds through ostree's grub2 hook, the
// GRUB menu then lists both deployments, and both boot (the second one by setting `default=1` in
// a copy of the disk — test-only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { output, run } from '../../../src/exec/run.js';
import { ostreeGrubEnv } from '../../../src/boot/ostree-grub.js';
import { ostreeInstall } from '../../../src/ostree/install.js';
import { createMemoryReporter } from '../../../src/report.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { needImages } from '../images/need-images.js';
import { withInstalledImage } from './inspect.js';
import { bootOnce, commitOf, sampleOptions, sampleRef } from './sample.js';

test('a later ostree admin deploy adds a second bootable menu entry', { timeout: 600_000 }, async (t) => {
  const p = needImages(t, 'repo', 'repo-ref', 'sample-signing-key.pub.asc', 'gnupg');
  if (!p) return;
  const [sharedRepo, refFile, key] = p as [string, string, string];
  const ref = await sampleRef(refFile);
  const dir = await mkdtemp(join(tmpdir(), 'ost-redeploy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const repo = join(dir, 'repo');
  await run('cp', ['-a', sharedRepo, repo]);
  const img = join(dir, 'disk.raw');
  await ostreeInstall(sampleOptions(img, repo, ref, key), createMemoryReporter());
  const first = await commitOf(repo, ref);

  await run('bash', [join(REPO_ROOT, 'images/make-commit.sh'), '24.03-LTS.2', repo]);
  const second = await commitOf(repo, ref);
  assert.notEqual(second, first);

  await withInstalledImage(img, 512, async (sysroot) => {
    await run('ostree', ['pull', `--repo=${join(sysroot, 'ostree/repo')}`, 'openEuler', ref]);
    // Without the hook, ostree runs grub-mkconfig chrooted in the new deployment (the sample OS
    // has none): the deploy fails cleanly and the installed loader stays in place.
    await assert.rejects(
      run('ostree', ['admin', 'deploy', `--sysroot=${sysroot}`, '--os=nestos', `openEuler:${ref}`], {
        env: { OSTREE_GRUB2_EXEC: undefined },
      }),
      /grub-mkconfig/,
    );
    assert.equal(await readlink(join(sysroot, 'boot', 'loader')), 'loader.1');
    await run('ostree', ['admin', 'deploy', `--sysroot=${sysroot}`, '--os=nestos', `openEuler:${ref}`], {
      env: ostreeGrubEnv(),
    });
    const status = await output('ostree', ['admin', 'status', `--sysroot=${sysroot}`]);
    assert.match(
      status,
      new RegExp(`nestos ${second}\\.0[\\s\\S]*Version: 24\\.03-LTS\\.2[\\s\\S]*nestos ${first}\\.0`),
    );
    const boot = join(sysroot, 'boot');
    const entries = (await readdir(join(boot, 'loader', 'entries'))).sort();
    assert.deepEqual(entries, ['ostree-1-nestos.conf', 'ostree-2-nestos.conf']);
    const menu = await readFile(join(boot, 'loader', 'grub.cfg'), 'utf8');
    const titles = [...menu.matchAll(/^menuentry '([^']*)'/gm)].map((m) => m[1]);
    assert.equal(titles.length, 2, menu);
    assert.match(titles[0]!, /24\.03-LTS\.2 \(ostree:0\)/);
    assert.match(titles[1]!, /24\.03-LTS\.1 \(ostree:1\)/);
    // Kargs were carried forward from the installed entry; the bootversion flipped.
    const linuxLines = [...menu.matchAll(/^linux .*$/gm)].map((m) => m[0]);
    for (const l of linuxLines)
      assert.match(
        l,
        /root=LABEL=root rw console=ttyS0,115200n8 ignition\.platform\.id=metal \$ignition_firstboot ostree=\/ostree\/boot\.0\//,
      );
  });

  const copy = join(dir, 'second-entry.raw');
  await run('cp', ['--sparse=always', img, copy]);
  await withInstalledImage(copy, 512, async (sysroot) => {
    const cfg = join(sysroot, 'boot', 'grub', 'grub.cfg');
    const text = await readFile(cfg, 'utf8');
    assert.match(text, /^set default=0$/m);
    await writeFile(cfg, text.replace(/^set default=0$/m, 'set default=1'));
  });
  const [newest, previous] = await Promise.all([
    bootOnce({ firmware: 'uefi', disk: img, readOnly: true, timeoutMs: 240_000 }),
    bootOnce({ firmware: 'bios', disk: copy, readOnly: true, timeoutMs: 240_000 }),
  ]);
  assert.equal(newest.probe.deployment, `ostree/deploy/nestos/deploy/${second}.0`);
  assert.equal(previous.probe.deployment, `ostree/deploy/nestos/deploy/${first}.0`);
});
