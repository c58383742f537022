// End to end in QEMU: PXE-boot the live kernel + initramfs + rootfs with nestos.inst.install_dev
// and no image source: the live installer rebuilds the metal image from the rootfs's osmet file
// and OSTree repo (offline, checked against its sha256) onto a blank disk, then that disk boots
// (SeaBIOS + GRUB) and the probe sees the deployment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootProbe, bootQemu } from '../../helpers/qemu.js';
import { needImages } from './need-images.js';

test('live PXE install to a blank disk, then the disk boots', { timeout: 900_000 }, async (t) => {
  const p = needImages(
    t,
    'nestos-sample-live-kernel-x86_64',
    'nestos-sample-live-initramfs.x86_64.img',
    'nestos-sample-live-rootfs.x86_64.img',
  );
  if (!p) return;
  const [kernel, initramfs, rootfs] = p as [string, string, string];
  const dir = mkdtempSync(join(tmpdir(), 'live-install-'));
  try {
    const disk = join(dir, 'target.img');
    const fd = openSync(disk, 'w');
    ftruncateSync(fd, 2 * 1024 ** 3);
    closeSync(fd);
    const run = await bootQemu({
      firmware: 'bios',
      kernel,
      initrds: [initramfs, rootfs],
      disk,
      writable: true,
      memoryMiB: 1536,
      cpus: 2,
      timeoutMs: 600_000,
      append: 'console=ttyS0,115200n8 quiet nestos.inst.install_dev=/dev/vda',
    });
    assert.match(run.log, /Installing NestOS Sample 24\.03-LTS\.1 x86_64 \(512-byte sectors\)/);
    assert.match(run.log, /Rebuilt image verified: 1073741824 bytes, sha256 [0-9a-f]{64}/);
    assert.match(run.log, /Install complete\./);
    assert.match(run.log, /NESTOS-LIVE-INSTALL \{"exit_code":0\}/);
    const { probe } = await bootProbe({ firmware: 'bios', disk });
    assert.match(probe.deployment ?? '', /^ostree\/deploy\/nestos\/deploy\/[0-9a-f]{64}\.0$/);
    assert.equal(probe.firstboot, true);
    assert.equal(probe.platform, 'metal');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
