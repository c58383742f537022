import { test } from 'node:test';
import assert from 'node:assert/strict';
import yargs from 'yargs';
import { addOstreeInstallOptions, isOstreeInstall, OSTREE_CONFIG_KEYS, ostreeOptionsFrom } from '../../../src/cli/install-ostree-options.js';
import { baseKargs, DEFAULT_KARGS, STAGES } from '../../../src/ostree/install.js';

function parse(args: string[]): Record<string, unknown> {
  return addOstreeInstallOptions(yargs(args).strict(false)).parseSync() as Record<string, unknown>;
}

test('defaults: osname nestos, remote openEuler, FCOS sizes, both firmwares, signature checked', () => {
  const argv = { ...parse(['--ostree-repo', '/srv/repo', '--ostree-ref', 'openEuler/x86_64/nestos/stable']), device: '/dev/vdb' };
  assert.ok(isOstreeInstall(argv));
  const o = ostreeOptionsFrom(argv);
  assert.equal(o.osname, 'nestos');
  assert.equal(o.remoteName, 'openEuler');
  assert.equal(o.insecure, false);
  assert.deepEqual(o.sizes, { espMiB: 127, bootMiB: 384, rootMiB: 0 });
  assert.equal(o.bios, undefined);
  assert.equal(o.uefi, undefined);
  assert.equal(o.firstboot, true);
  assert.deepEqual(o.kargs, []);
});

test('flags map to options', () => {
  const argv = {
    ...parse(['--ostree-repo', 'https://example.org/repo', '--ostree-ref', 'r', '--osname', 'os2', '--remote-name', 'origin',
      '--ostree-karg', 'root=UUID=x', '--ostree-karg', 'quiet', '--ostree-esp-size', '64M', '--ostree-boot-size', '256',
      '--ostree-root-size', '1G', '--ostree-firmware', 'uefi']),
    device: 'disk.raw', insecure: true, 'trusted-key': ['a.asc'], 'dest-size': '2G', 'dest-sector-size': '4096',
    'append-karg': ['x=1'], platform: 'qemu', 'preserve-on-error': true,
  };
  const o = ostreeOptionsFrom(argv);
  assert.equal(o.osname, 'os2');
  assert.equal(o.remoteName, 'origin');
  assert.deepEqual(o.kargs, ['root=UUID=x', 'quiet']);
  assert.deepEqual(o.sizes, { espMiB: 64, bootMiB: 256, rootMiB: 1024 });
  assert.equal(o.bios, false);
  assert.equal(o.uefi, true);
  assert.equal(o.destSize, 2 * 1024 ** 3);
  assert.equal(o.sectorSize, 4096);
  assert.deepEqual(o.appendKargs, ['x=1']);
  assert.equal(o.platform, 'qemu');
  assert.equal(o.insecure, true);
  assert.equal(o.preserveOnError, true);
  assert.deepEqual(o.trustedKeys, ['a.asc']);
});

test('conflicting or missing flags are usage errors', () => {
  const base = { 'ostree-repo': '/r', 'ostree-ref': 'x', device: '/dev/vdb' };
  assert.throws(() => ostreeOptionsFrom({ ...base, 'ostree-ref': undefined }), /--ostree-ref is required/);
  assert.throws(() => ostreeOptionsFrom({ ...base, device: undefined }), /DEVICE is required/);
  assert.throws(() => ostreeOptionsFrom({ ...base, 'image-file': 'x.raw' }), /--image-file cannot be used with --ostree-repo/);
  assert.throws(() => ostreeOptionsFrom({ ...base, 'dry-run': true }), /--dry-run cannot be used/);
  assert.throws(() => ostreeOptionsFrom({ ...base, 'ostree-firmware': 'coreboot' }), /unknown firmware 'coreboot'/);
  assert.throws(() => ostreeOptionsFrom({ ...base, 'dest-sector-size': '1024' }), /expected 512 or 4096/);
  assert.throws(() => ostreeOptionsFrom({ ...base, 'ostree-esp-size': '1000K' }), /whole number of MiB/);
  assert.throws(() => ostreeOptionsFrom({ ...base, 'ignition-file': '/nonexistent/x.ign' }), /reading Ignition config/);
  assert.equal(isOstreeInstall({ 'image-file': 'x' }), false);
  assert.ok(OSTREE_CONFIG_KEYS.includes('ostree-repo'));
});

test('deploy kargs: root=LABEL=root + the sample defaults, never the host cmdline', () => {
  assert.deepEqual(baseKargs(), ['root=LABEL=root', ...DEFAULT_KARGS]);
  assert.deepEqual(DEFAULT_KARGS, ['rw', 'console=ttyS0,115200n8', 'ignition.platform.id=metal', '$ignition_firstboot']);
  assert.deepEqual(baseKargs(['quiet']), ['root=LABEL=root', 'quiet']);
  assert.deepEqual(baseKargs(['root=UUID=abc', 'rw']), ['root=UUID=abc', 'rw']);
  assert.deepEqual([...STAGES].slice(0, 8), ['partition', 'mkfs', 'mount', 'init-fs', 'repo-config', 'pull', 'os-init', 'deploy']);
});
