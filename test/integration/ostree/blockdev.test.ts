// A block device as the target (a 4096-byte-sector loop device the test attaches itself): the
// installer partitions it, makes the partition nodes itself (partx), and deploys; a device with
// a mounted partition is refused before anything is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { output, run } from '../../../src/exec/run.js';
import { ostreeInstall } from '../../../src/ostree/install.js';
import { createMemoryReporter } from '../../../src/report.js';
import { installerMounts } from './inspect.js';
import { sampleOptions } from './sample.js';
import { makeTinyRepo } from './tiny-repo.js';

test('install to a 4Kn block device; a busy device is refused', { timeout: 180_000 }, async (t) => {
  const tiny = await makeTinyRepo({ signed: false });
  t.after(() => tiny.cleanup());
  const commit = await tiny.commit('2.0');
  const dir = await mkdtemp(join(tmpdir(), 'ost-blk-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'disk.raw');
  await run('truncate', ['-s', '512M', file]);
  const dev = await output('losetup', ['--find', '--show', '--sector-size', '4096', file]);
  t.after(async () => {
    await run('partx', ['-d', dev], { okExitCodes: [1] }).catch(() => undefined);
    await run('losetup', ['-d', dev]);
  });
  const opts = {
    ...sampleOptions(dev, tiny.repo, tiny.ref, ''),
    trustedKeys: [],
    insecure: true,
    destSize: undefined,
    sizes: { espMiB: 64, bootMiB: 128, rootMiB: 0 },
  };
  const reporter = createMemoryReporter();
  const result = await ostreeInstall(opts, reporter);
  assert.equal(result.commit, commit);
  assert.equal(result.bios, false, 'no BIOS GRUB on 4Kn');
  assert.equal(result.uefi, true);
  assert.deepEqual(await installerMounts(reporter.lines), []);
  assert.equal(await output('blockdev', ['--getss', dev]), '4096');
  const table = await output('sgdisk', ['-p', dev]);
  assert.match(table, /Sector size \(logical\/physical\): 4096\/4096 bytes/);
  assert.match(table, / root$/m);
  assert.equal(await output('blkid', ['-s', 'LABEL', '-o', 'value', `${dev}p3`]), 'boot');
  const esp = await output('mdir', ['-b', '-i', `${dev}p2`, '::/EFI/BOOT'], { env: { MTOOLS_SKIP_CHECK: '1' } });
  assert.match(esp, /BOOTX64\.EFI/i);

  // Busy: mount its boot partition and try again — refused, and the table is untouched.
  const mnt = join(dir, 'mnt');
  await run('mkdir', [mnt]);
  await run('mount', ['-o', 'ro', `${dev}p3`, mnt]);
  try {
    await assert.rejects(ostreeInstall(opts, createMemoryReporter()), /found busy partitions/);
    assert.ok((await readdir(mnt)).includes('loader'));
  } finally {
    await run('umount', [mnt]);
  }
  assert.match(await output('sgdisk', ['-p', dev]), / root$/m);
});
