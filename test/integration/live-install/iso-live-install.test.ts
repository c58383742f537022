// End to end in QEMU: the sample live ISO installs itself onto a blank disk, then that disk
// boots. Two ways an operator asks for it: kernel arguments set with `iso kargs modify`, and a
// self-installing ISO made by `iso customize --dest-*`, whose destination Ignition config must
// then be what the installed system's first boot sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { bootProbe, bootQemu } from '../../helpers/qemu.js';
import { needImages } from '../images/need-images.js';

const ISO = 'nestos-sample-live.x86_64.iso';

function blankDisk(dir: string): string {
  const disk = join(dir, 'target.img');
  const fd = openSync(disk, 'w');
  ftruncateSync(fd, 2 * 1024 ** 3);
  closeSync(fd);
  return disk;
}

async function cli(args: string[]): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, 0, `nestos-installer ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout.toString();
}

test(
  'live ISO with nestos.inst.install_dev (iso kargs modify) installs to a blank disk, which boots',
  { timeout: 900_000 },
  async (t) => {
    const found = needImages(t, ISO);
    if (!found) return;
    const dir = mkdtempSync(join(tmpdir(), 'iso-live-install-'));
    try {
      const iso = join(dir, 'live.iso');
      copyFileSync(found[0]!, iso);
      // The CD is on virtio-scsi (/dev/sr0); the blank virtio disk is the guest's /dev/vda.
      await cli(['iso', 'kargs', 'modify', '-a', 'nestos.inst.install_dev=/dev/vda', iso]);
      assert.match(await cli(['iso', 'kargs', 'show', iso]), /nestos\.inst\.install_dev=\/dev\/vda/);
      const disk = blankDisk(dir);
      const run = await bootQemu({
        firmware: 'bios',
        iso,
        disk,
        writable: true,
        memoryMiB: 1536,
        cpus: 2,
        timeoutMs: 700_000,
      });
      assert.match(run.log, /Install complete\./);
      assert.match(run.log, /NESTOS-LIVE-INSTALL \{"exit_code":0\}/);
      const { probe } = await bootProbe({ firmware: 'bios', disk });
      assert.match(probe.deployment ?? '', /^ostree\/deploy\/nestos\/deploy\/[0-9a-f]{64}\.0$/);
      assert.equal(probe.firstboot, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'iso customize --dest-device/--dest-ignition/--dest-console: the ISO installs itself and the disk boots with the config',
  { timeout: 900_000 },
  async (t) => {
    const found = needImages(t, ISO);
    if (!found) return;
    const dir = mkdtempSync(join(tmpdir(), 'iso-customize-install-'));
    try {
      const config = JSON.stringify({
        ignition: { version: '3.4.0' },
        passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAA test'] }] },
      });
      const configFile = join(dir, 'dest.ign');
      writeFileSync(configFile, config);
      const iso = join(dir, 'custom.iso');
      await cli([
        'iso',
        'customize',
        '--dest-device',
        '/dev/vda',
        '--dest-ignition',
        configFile,
        '--dest-console',
        'ttyS0,115200n8',
        '--dest-karg-append',
        'nestos.test=customized',
        '-o',
        iso,
        found[0]!,
      ]);
      const disk = blankDisk(dir);
      const run = await bootQemu({
        firmware: 'uefi',
        iso,
        disk,
        writable: true,
        memoryMiB: 1536,
        cpus: 2,
        timeoutMs: 700_000,
      });
      assert.match(run.log, /NESTOS-LIVE-INSTALL \{"exit_code":0\}/);
      const { probe } = await bootProbe({ firmware: 'uefi', disk });
      assert.equal(probe.ignition_sha256, createHash('sha256').update(config).digest('hex'));
      assert.match(probe.cmdline, /console=ttyS0,115200n8/);
      assert.match(probe.cmdline, /nestos\.test=customized/);
      assert.equal(probe.firstboot, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
