/** The NestOS/CoreOS table and how a run picks its flavour. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLAVOR_NAMES, FLAVORS, flavorOfProgram, isInitrdNetworkPath, mediaFlavor } from '../../src/flavor.js';

test('the program name decides: coreos-installer is CoreOS, anything else NestOS', () => {
  assert.equal(flavorOfProgram('/usr/bin/coreos-installer'), 'coreos');
  assert.equal(flavorOfProgram('/usr/local/lib/node_modules/.bin/coreos-installer'), 'coreos');
  assert.equal(flavorOfProgram('/usr/bin/nestos-installer'), 'nestos');
  assert.equal(flavorOfProgram('/opt/x/dist/cli/main.js'), 'nestos');
  assert.equal(flavorOfProgram(undefined), 'nestos');
});

test('media: the selected flavour unless the medium carries only the other one', () => {
  assert.equal(
    mediaFlavor('nestos', () => true),
    'nestos',
  );
  assert.equal(
    mediaFlavor('nestos', () => false),
    'nestos',
  );
  assert.equal(
    mediaFlavor('nestos', (f) => f === 'coreos'),
    'coreos',
  );
  assert.equal(
    mediaFlavor('coreos', (f) => f === 'nestos'),
    'nestos',
  );
  assert.equal(
    mediaFlavor('coreos', (f) => f === 'coreos'),
    'coreos',
  );
});

test("the CoreOS names are the NestOS ones with the other prefix; the NestOS ones are nestos-installer's", () => {
  const { nestos, coreos } = FLAVORS;
  const swapped = (v: unknown) =>
    JSON.stringify(v)
      .replace(/nestos/g, 'coreos')
      .replace(/NESTOS/g, 'COREOS');
  for (const key of Object.keys(nestos) as Array<keyof typeof nestos>) {
    if (key === 'product' || key === 'isoFirstRecordNames') continue;
    assert.equal(JSON.stringify(coreos[key]), swapped(nestos[key]), key);
  }
  assert.equal(coreos.product, 'Fedora CoreOS');
  assert.deepEqual(coreos.isoFirstRecordNames, []);
  // A sample of nestos-installer's names, as its sources spell them.
  assert.equal(nestos.isoDir, 'NESTOS');
  assert.deepEqual(nestos.isoFirstRecordNames, ['OPENEULER']);
  assert.equal(nestos.initrdNetworkDir, 'etc/nestos-firstboot-network/');
  assert.equal(nestos.liveInitramfsStamp, 'etc/nestos-live-initramfs');
  assert.equal(nestos.installerConfigDir, '/etc/nestos/installer.d');
  assert.equal(nestos.osmetDir, '/run/nestos-installer/osmet');
  assert.equal(nestos.liveRootfsUrlKarg, 'nestos.live.rootfs_url');
  assert.deepEqual(FLAVOR_NAMES, ['nestos', 'coreos']);
});

test('keyfiles of either flavour are recognised in an initrd; the directory itself is not a keyfile', () => {
  assert.ok(isInitrdNetworkPath('etc/nestos-firstboot-network/a.nmconnection'));
  assert.ok(isInitrdNetworkPath('etc/coreos-firstboot-network/a.nmconnection'));
  assert.ok(!isInitrdNetworkPath('etc/coreos-firstboot-network/'));
  assert.ok(!isInitrdNetworkPath('etc/other/a.nmconnection'));
});
