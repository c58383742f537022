import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandLineConfig, parseInstallWords } from '../../../src/cli/install.js';
import { ostreeOptionsFrom } from '../../../src/install/install-request.js';
import { baseKargs, DEFAULT_KARGS, STAGES } from '../../../src/ostree/install.js';

const RUN = { dryRun: false, flavor: 'nestos' } as const;
const options = (words: string[], run: { dryRun: boolean; flavor: 'nestos' | 'coreos' } = RUN) =>
  ostreeOptionsFrom(commandLineConfig(parseInstallWords(words)), run);

test('defaults: osname nestos, remote openEuler, FCOS sizes, both firmwares, signature checked', async () => {
  const o = await options(['--ostree-repo', '/srv/repo', '--ostree-ref', 'openEuler/x86_64/nestos/stable', '/dev/vdb']);
  assert.equal(o.device, '/dev/vdb');
  assert.equal(o.osname, 'nestos');
  assert.equal(o.remoteName, 'openEuler');
  assert.equal(o.insecure, false);
  assert.deepEqual(o.sizes, { espMiB: 127, bootMiB: 384, rootMiB: 0 });
  assert.equal(o.bios, undefined);
  assert.equal(o.uefi, undefined);
  assert.equal(o.firstboot, true);
  assert.deepEqual(o.kargs, []);
  assert.equal(o.flavor, 'nestos');
});

test('flags map to options', async () => {
  const o = await options(
    [
      '--ostree-repo',
      'https://example.org/repo',
      '--ostree-ref',
      'r',
      '--osname',
      'os2',
      '--remote-name',
      'origin',
      '--ostree-karg',
      'root=UUID=x',
      '--ostree-karg',
      'quiet',
      '--ostree-esp-size',
      '64M',
      '--ostree-boot-size',
      '256',
      '--ostree-root-size',
      '1G',
      '--ostree-firmware',
      'UEFI',
      '--insecure',
      '--trusted-key',
      'a.asc',
      '--dest-size',
      '2G',
      '--dest-sector-size',
      '4096',
      '--append-karg',
      'x=1',
      '-p',
      'qemu',
      '--preserve-on-error',
      '--no-validate',
      'disk.raw',
    ],
    { dryRun: false, flavor: 'coreos' },
  );
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
  assert.equal(o.noValidate, true);
  assert.deepEqual(o.trustedKeys, ['a.asc']);
  assert.equal(o.flavor, 'coreos');
});

test('conflicting or missing flags are usage errors', async () => {
  const base = ['--ostree-repo', '/r', '--ostree-ref', 'x', '/dev/vdb'];
  await assert.rejects(options(['--ostree-repo', '/r', '/dev/vdb']), /requires '--ostree-ref <ref>'/);
  await assert.rejects(options(['--ostree-repo', '/r', '--ostree-ref', 'x']), /destination device must be specified/);
  await assert.rejects(
    options([...base, '--image-file', 'x.raw']),
    /'--image-file <path>' cannot be used with '--ostree-repo <repo>'/,
  );
  await assert.rejects(options(base, { dryRun: true, flavor: 'nestos' }), /'--dry-run' cannot be used/);
  assert.throws(
    () => commandLineConfig(parseInstallWords([...base, '--ostree-firmware', 'coreboot'])),
    /unknown firmware 'coreboot'/,
  );
  assert.throws(
    () => commandLineConfig(parseInstallWords([...base, '--dest-sector-size', '1024'])),
    /expected 512 or 4096/,
  );
  assert.throws(
    () => commandLineConfig(parseInstallWords([...base, '--ostree-esp-size', '1000K'])),
    /whole number of MiB/,
  );
  await assert.rejects(options([...base, '--ignition-file', '/nonexistent/x.ign']), /reading Ignition config/);
});

test('deploy kargs: root=LABEL=root + the sample defaults, never the host cmdline', () => {
  assert.deepEqual(baseKargs(), ['root=LABEL=root', ...DEFAULT_KARGS]);
  assert.deepEqual(DEFAULT_KARGS, [
    'rw',
    'console=ttyS0,115200n8',
    'ignition.platform.id=metal',
    '$ignition_firstboot',
  ]);
  assert.deepEqual(baseKargs(['quiet']), ['root=LABEL=root', 'quiet']);
  assert.deepEqual(baseKargs(['root=UUID=abc', 'rw']), ['root=UUID=abc', 'rw']);
  assert.deepEqual([...STAGES].slice(0, 8), [
    'partition',
    'mkfs',
    'mount',
    'init-fs',
    'repo-config',
    'pull',
    'os-init',
    'deploy',
  ]);
});
