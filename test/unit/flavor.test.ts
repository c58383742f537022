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
  assert.equal(mediaFlavor('nestos', () => true), 'nestos');
  assert.equal(mediaFlavor('nestos', () => false), 'nestos');
  assert.equal(mediaFlavor('nestos', (f) => f === 'coreos'), 'coreos');
  assert.equal(mediaFlavor('coreos', (f) => f === 'nestos'), 'nestos');
  assert.equal(mediaFlavor('coreos', (f) => f === 'coreos'), 'coreos');
});

test('every name differs between the flavours and carries its prefix (ostree-and-nestos A2)', () => {
  const { nestos, coreos } = FLAVORS;
  assert.deepEqual(nestos, {
    program: 'nestos-installer',
    product: 'NestOS',
    kargPrefix: 'nestos',
    persistIpKargs: ['nestos.no_persist_ip', 'nestos.force_persist_ip'],
    isoDir: 'NESTOS',
    isoFirstRecordNames: ['OPENEULER'],
    initrdNetworkDir: 'etc/nestos-firstboot-network/',
    liveInitramfsStamp: 'etc/nestos-live-initramfs',
    initrdFeatures: 'etc/nestos/features.json',
    installerConfigDir: '/etc/nestos/installer.d',
    destIgnition: '/etc/nestos/dest.ign',
    bootPlatformsDir: 'nestos',
    bootNetworkDir: 'nestos-firstboot-network',
    osmetDir: '/run/nestos-installer/osmet',
    tempPrefix: 'nestos-installer-',
    liveIsoKarg: 'nestos.liveiso',
    liveRootfsUrlKarg: 'nestos.live.rootfs_url',
    installerService: 'nestos-installer.service',
    installerTarget: 'nestos-installer.target',
  });
  for (const key of Object.keys(nestos) as Array<keyof typeof nestos>) {
    if (key === 'isoFirstRecordNames') continue;
    assert.notDeepEqual(nestos[key], coreos[key], key);
    const text = JSON.stringify(coreos[key]);
    assert.ok(/coreos|COREOS|CoreOS/.test(text), `${key}: ${text}`);
  }
  assert.deepEqual(coreos.isoFirstRecordNames, []);
  assert.deepEqual(FLAVOR_NAMES, ['nestos', 'coreos']);
});

test('keyfiles of either flavour are recognised in an initrd; the directory itself is not a keyfile', () => {
  assert.ok(isInitrdNetworkPath('etc/nestos-firstboot-network/a.nmconnection'));
  assert.ok(isInitrdNetworkPath('etc/coreos-firstboot-network/a.nmconnection'));
  assert.ok(!isInitrdNetworkPath('etc/coreos-firstboot-network/'));
  assert.ok(!isInitrdNetworkPath('etc/other/a.nmconnection'));
});
