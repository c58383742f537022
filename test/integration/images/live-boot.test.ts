// Boots the sample live ISO (SeaBIOS + isolinux, OVMF + GRUB) and the PXE artifacts; the probe
// must see the default kargs from coreos/kargs.json (the embed areas really are the cmdline), and
// the ISO boots must take their root filesystem from the ISO itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootProbe } from '../../helpers/qemu.js';
import { needImages } from './need-images.js';
import { liveRootfsLine } from './serve-stream.js';

const ISO = 'nestos-sample-live.x86_64.iso';

/** Reads one file out of an ISO (Rock Ridge names) with osirrox. */
function isoRead(iso: string, path: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'isoread-'));
  try {
    execFileSync('osirrox', ['-indev', iso, '-extract', path, join(dir, 'f')], { stdio: 'ignore' });
    return readFileSync(join(dir, 'f'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function isoKargs(iso: string): { default: string; size: number; files: Array<{ path: string; offset: number }> } {
  return JSON.parse(isoRead(iso, '/coreos/kargs.json').toString('utf8'));
}

function kargsOf(cmdline: string): string {
  // isolinux adds BOOT_IMAGE= and initrd=; GRUB adds BOOT_IMAGE=
  return cmdline
    .split(' ')
    .filter((a) => !a.startsWith('BOOT_IMAGE=') && !a.startsWith('initrd='))
    .join(' ');
}

for (const firmware of ['bios', 'uefi'] as const) {
  test(`live ISO boots under ${firmware} with the default kargs`, { timeout: 240_000 }, async (t) => {
    const p = needImages(t, ISO);
    if (!p) return;
    const iso = p[0] as string;
    const kargs = isoKargs(iso);
    assert.deepEqual(
      kargs.files.map((f) => f.path),
      ['isolinux/isolinux.cfg', 'EFI/BOOT/grub.cfg'],
    );
    assert.match(kargs.default, /console=ttyS0,115200n8 ignition\.firstboot ignition\.platform\.id=metal/);
    const { probe, log } = await bootProbe({ firmware, iso });
    assert.equal(kargsOf(probe.cmdline), kargs.default);
    // the live initramfs found its rootfs on this ISO by the volume label in coreos.liveiso=
    assert.deepEqual(liveRootfsLine(log), {
      source: 'iso',
      label: 'nestos-sample-24.03-LTS.1',
      verified: true,
      repo: true,
      osmet: ['nestos-sample-metal.x86_64.osmet', 'nestos-sample-metal4k.x86_64.osmet'],
    });
    assert.equal(probe.platform, 'metal');
    assert.equal(probe.ignition_sha256, null, 'pristine ISO has an all-zero ignition.img');
    if (firmware === 'bios') {
      assert.match(probe.cmdline, /initrd=\/images\/pxeboot\/initrd\.img,\/images\/ignition\.img/);
    }
  });
}

test('karg embed areas sit at the advertised offsets in both bootloader configs', (t) => {
  const p = needImages(t, ISO);
  if (!p) return;
  const iso = p[0] as string;
  const kargs = isoKargs(iso);
  for (const f of kargs.files) {
    const text = isoRead(iso, `/${f.path}`);
    const area = text.subarray(f.offset, f.offset + kargs.size).toString('latin1');
    assert.equal(area, `${kargs.default}\n`.padEnd(kargs.size, '#'));
    assert.equal(
      text
        .subarray(f.offset + kargs.size)
        .toString()
        .split('\n')[0],
      '# COREOS_KARG_EMBED_AREA',
    );
  }
});

test('PXE kernel + live initramfs + rootfs boot to the probe', { timeout: 240_000 }, async (t) => {
  const p = needImages(
    t,
    'nestos-sample-live-kernel-x86_64',
    'nestos-sample-live-initramfs.x86_64.img',
    'nestos-sample-live-rootfs.x86_64.img',
  );
  if (!p) return;
  const [kernel, initramfs, rootfs] = p as [string, string, string];
  const { probe, log } = await bootProbe({
    firmware: 'bios',
    kernel,
    initrds: [initramfs, rootfs],
    append: 'console=ttyS0,115200n8 ignition.firstboot ignition.platform.id=metal',
  });
  assert.equal(probe.cmdline, 'console=ttyS0,115200n8 ignition.firstboot ignition.platform.id=metal panic=-1');
  assert.equal(liveRootfsLine(log).source, 'initrd');
  assert.equal(probe.platform, 'metal');
});
