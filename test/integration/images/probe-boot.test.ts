// Direct-kernel boots of the probe initramfs: the marker reports cmdline, platform, the Ignition
// config from /boot, the firstboot stamp, network keyfiles and the ostree= deployment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootProbe } from '../../helpers/qemu.js';
import { needImages } from './need-images.js';

function sh(cmd: string, cwd: string): string {
  return execFileSync('bash', ['-euo', 'pipefail', '-c', cmd], { cwd, encoding: 'utf8' });
}

/** A GPT disk with ext4 `boot` and `root` partitions built rootless (mkfs.ext4 -d). */
function makeDisk(dir: string, sector: 512 | 4096): string {
  const ign = '{"ignition":{"version":"3.4.0"}}\n';
  mkdirSync(join(dir, 'boot/ignition'), { recursive: true });
  mkdirSync(join(dir, 'boot/nestos-firstboot-network'));
  mkdirSync(join(dir, 'boot/coreos-firstboot-network'));
  writeFileSync(join(dir, 'boot/ignition/config.ign'), ign);
  writeFileSync(join(dir, 'boot/ignition.firstboot'), '');
  writeFileSync(join(dir, 'boot/nestos-firstboot-network/eth0.nmconnection'), '[connection]\n');
  writeFileSync(join(dir, 'boot/coreos-firstboot-network/br0.nmconnection'), '[connection]\n');
  mkdirSync(join(dir, 'root/ostree/deploy/nestos/deploy/abc123.0/etc'), { recursive: true });
  mkdirSync(join(dir, 'root/ostree/boot.1.1/nestos/csum'), { recursive: true });
  symlinkSync('boot.1.1', join(dir, 'root/ostree/boot.1'));
  symlinkSync('../../../deploy/nestos/deploy/abc123.0', join(dir, 'root/ostree/boot.1.1/nestos/csum/0'));
  const fdiskSector = sector === 4096 ? '-b 4096' : '';
  sh(
    `truncate -s 96M d.img
printf 'g\\nn\\n1\\n\\n+24M\\nn\\n2\\n\\n\\nx\\nn\\n1\\nboot\\nn\\n2\\nroot\\nr\\nw\\n' | fdisk ${fdiskSector} d.img >/dev/null
for n in 1 2; do
  read -r S N < <(partx -g -n $n -o START,SECTORS -S ${sector} d.img)  # 512-byte units
  label=$([ $n = 1 ] && echo boot || echo root)
  mkfs.ext4 -F -q -b 4096 -L $label -d $label -E offset=$((S*512)) d.img $((N/2))k
done`,
    dir,
  );
  return join(dir, 'd.img');
}

test('direct kernel boot of the probe reports the command line', { timeout: 200_000 }, async (t) => {
  const p = needImages(t, 'vmlinuz', 'probe-initramfs.img');
  if (!p) return;
  const [kernel, initrd] = p as [string, string];
  const { probe } = await bootProbe({
    firmware: 'bios',
    kernel,
    initrds: [initrd],
    append: 'console=ttyS0,115200n8 quiet ignition.platform.id=qemu x="a\\b"',
  });
  assert.equal(probe.cmdline, 'console=ttyS0,115200n8 quiet ignition.platform.id=qemu x="a\\b" panic=-1');
  assert.equal(probe.platform, 'qemu');
  assert.equal(probe.deployment, null);
  assert.equal(probe.ignition_sha256, null);
  assert.equal(probe.firstboot, false);
  assert.deepEqual(probe.network_keyfiles, []);
});

for (const sector of [512, 4096] as const) {
  test(`probe reads boot and root partitions (${sector}-byte sectors)`, { timeout: 200_000 }, async (t) => {
    const p = needImages(t, 'vmlinuz', 'probe-initramfs.img');
    if (!p) return;
    const [kernel, initrd] = p as [string, string];
    const dir = mkdtempSync(join(tmpdir(), 'probe-disk-'));
    try {
      const disk = makeDisk(dir, sector);
      const { probe } = await bootProbe({
        firmware: 'bios',
        kernel,
        initrds: [initrd],
        disk,
        sectorSize: sector,
        readOnly: true,
        append: 'console=ttyS0,115200n8 ostree=/ostree/boot.1/nestos/csum/0',
      });
      const sha = createHash('sha256').update('{"ignition":{"version":"3.4.0"}}\n').digest('hex');
      assert.equal(probe.deployment, 'ostree/deploy/nestos/deploy/abc123.0');
      assert.equal(probe.ignition_sha256, sha);
      assert.equal(probe.firstboot, true);
      assert.deepEqual(probe.network_keyfiles, ['br0.nmconnection', 'eth0.nmconnection']);
      assert.deepEqual(probe.disks, [{ name: 'vda', lbs: sector }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('an initrd-appended /config.ign wins over the boot partition', { timeout: 200_000 }, async (t) => {
  const p = needImages(t, 'vmlinuz', 'probe-initramfs.img');
  if (!p) return;
  const [kernel, initrd] = p as [string, string];
  const dir = mkdtempSync(join(tmpdir(), 'probe-ign-'));
  try {
    const ign = '{"ignition":{"version":"3.3.0"}}';
    mkdirSync(join(dir, 'extra'));
    writeFileSync(join(dir, 'extra/config.ign'), ign);
    sh('(cd extra && echo ./config.ign | cpio -o -H newc --owner=0:0 --quiet) | xz --check=crc32 > extra.img', dir);
    const { probe } = await bootProbe({ firmware: 'bios', kernel, initrds: [initrd, join(dir, 'extra.img')] });
    assert.equal(probe.ignition_sha256, createHash('sha256').update(ign).digest('hex'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
