// End to end in QEMU: PXE-boot the live kernel + initramfs with nestos.inst.install_dev, let the
// live environment's installer write the embedded, signature-verified metal image to a blank
// disk, then boot that disk (SeaBIOS + GRUB) and check the probe sees the deployment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootProbe, bootQemu } from '../../helpers/qemu.js';
import { needImages } from './need-images.js';

test('live PXE install to a blank disk, then the disk boots', { timeout: 900_000 }, async (t) => {
  const p = needImages(t, 'nestos-sample-live-kernel-x86_64', 'nestos-sample-live-initramfs.x86_64.img');
  if (!p) return;
  const [kernel, initramfs] = p as [string, string];
  const dir = mkdtempSync(join(tmpdir(), 'live-install-'));
  try {
    const disk = join(dir, 'target.img');
    const fd = openSync(disk, 'w');
    ftruncateSync(fd, 2 * 1024 ** 3);
    closeSync(fd);
    const run = await bootQemu({
      firmware: 'bios', kernel, initrds: [initramfs], disk, writable: true, memoryMiB: 1536, timeoutMs: 600_000,
      append: 'console=ttyS0,115200n8 quiet nestos.inst.install_dev=/dev/vda',
    });
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
