import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveRequestFromCmdline, parseCmdline } from '../../../src/live/kargs.js';

test('cmdline splitting keeps quoted values', () => {
  assert.deepEqual(parseCmdline('a b=1 c="x y" d=\n'), [['a', undefined], ['b', '1'], ['c', 'x y'], ['d', '']]);
});

test('nestos.inst.* and coreos.inst.* map to install options', () => {
  const r = liveRequestFromCmdline('BOOT_IMAGE=/x nestos.inst.install_dev=/dev/vda nestos.inst.ignition_url=http://h/c.ign ' +
    'coreos.inst.platform_id=qemu nestos.inst.save_partlabel=data,x* nestos.inst.save_partindex=5- nestos.inst.insecure ' +
    'nestos.inst.image_url=https://h/i.raw.xz nestos.inst.skip_reboot ip=dhcp nameserver=1.1.1.1');
  assert.equal(r.requested, true);
  assert.equal(r.skipReboot, true);
  assert.deepEqual(r.options, {
    dest: '/dev/vda',
    ignitionUrl: 'http://h/c.ign',
    insecureIgnition: true,
    platform: 'qemu',
    savePartlabel: ['data', 'x*'],
    savePartindex: ['5-'],
    insecure: true,
    imageUrl: 'https://h/i.raw.xz',
    firstbootArgs: 'rd.neednet=1 ip=dhcp nameserver=1.1.1.1',
  });
});

test('install_dev without /dev/ is prefixed with a deprecation warning; ignition_url=skip ignored', () => {
  const r = liveRequestFromCmdline('coreos.inst.install_dev=sda coreos.inst.ignition_url=skip nestos.no_persist_ip ip=dhcp');
  assert.equal(r.options.dest, '/dev/sda');
  assert.match(r.warnings[0] ?? '', /deprecated/);
  assert.equal(r.options.ignitionUrl, undefined);
  assert.equal(r.options.firstbootArgs, undefined);
});

test('no install kargs: nothing requested', () => {
  assert.equal(liveRequestFromCmdline('quiet console=ttyS0').requested, false);
});
