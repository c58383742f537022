import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSizes,
  DEFAULT_SIZES,
  GPT_TYPE,
  minimumDiskBytes,
  partitionSpecs,
  sgdiskArgs,
} from '../../../src/ostree/layout.js';
import { partitionNode } from '../../../src/disk/partition-nodes.js';

test('the default layout is FCOS/NestOS create_disk.sh: BIOS-BOOT, EFI-SYSTEM, boot, root', () => {
  const specs = partitionSpecs(DEFAULT_SIZES);
  assert.deepEqual(
    specs.map((p) => [p.number, p.name, p.sizeMiB]),
    [
      [1, 'BIOS-BOOT', 1],
      [2, 'EFI-SYSTEM', 127],
      [3, 'boot', 384],
      [4, 'root', 0],
    ],
  );
  assert.equal(specs[0]!.type, GPT_TYPE.biosBoot);
  assert.equal(specs[1]!.type, 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B');
});

test('sgdisk arguments zap first, size each partition, root takes the rest', () => {
  const args = sgdiskArgs({ espMiB: 64, bootMiB: 192, rootMiB: 0 }, '/dev/loop7');
  assert.deepEqual(args.slice(0, 2), ['--zap-all', '--clear']);
  assert.ok(args.includes('--new=2:0:+64M'));
  assert.ok(args.includes('--new=3:0:+192M'));
  assert.ok(args.includes('--new=4:0:0'));
  assert.ok(args.includes('--change-name=3:boot'));
  assert.equal(args[args.length - 1], '/dev/loop7');
  assert.ok(sgdiskArgs({ espMiB: 64, bootMiB: 192, rootMiB: 500 }, '/dev/sda').includes('--new=4:0:+500M'));
});

test('partition node names follow the kernel', () => {
  assert.equal(partitionNode('/dev/sda', 3), '/dev/sda3');
  assert.equal(partitionNode('/dev/loop0', 3), '/dev/loop0p3');
  assert.equal(partitionNode('/dev/nvme0n1', 4), '/dev/nvme0n1p4');
  assert.equal(partitionNode('/dev/vdb', 1), '/dev/vdb1');
});

test('too small partitions are refused; minimum disk covers the layout', () => {
  assert.throws(() => checkSizes({ espMiB: 8, bootMiB: 384, rootMiB: 0 }), /ESP partition size 8 MiB is too small/);
  assert.throws(() => checkSizes({ espMiB: 127, bootMiB: 10, rootMiB: 0 }), /boot partition size/);
  checkSizes(DEFAULT_SIZES);
  assert.equal(minimumDiskBytes(DEFAULT_SIZES), (1 + 1 + 127 + 384 + 256 + 1) * 1024 * 1024);
});
