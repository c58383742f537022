/** The live service's install command line, replaying the rules of upstream's service script. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cmdlineWords, kargBool, kargValue, serviceArgs } from '../../../src/live/service-args.js';

test('coreos.inst.* kargs become install arguments in the script order (CoreOS flavour)', () => {
  const r = serviceArgs(
    'BOOT_IMAGE=/x coreos.inst.install_dev=/dev/vda coreos.inst.ignition_url=http://h/c.ign coreos.inst.platform_id=qemu ' +
      'coreos.inst.save_partlabel=data,x* coreos.inst.save_partindex=5- coreos.inst.insecure coreos.inst.image_url=https://h/i.raw.xz ' +
      'coreos.inst.stream=stable coreos.inst.skip_reboot ip=dhcp nameserver=1.1.1.1 nestos.inst.install_dev=/dev/other',
    ['/etc/coreos/installer.d/a.yaml', '/etc/coreos/installer.d/b.yaml'],
    'coreos',
  );
  assert.equal(r.requested, true);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.args, [
    '--config-file',
    '/etc/coreos/installer.d/a.yaml',
    '--config-file',
    '/etc/coreos/installer.d/b.yaml',
    '/dev/vda',
    '--image-url',
    'https://h/i.raw.xz',
    '--platform',
    'qemu',
    '--save-partlabel',
    'data,x*',
    '--save-partindex',
    '5-',
    '--stream',
    'stable',
    '--ignition-url',
    'http://h/c.ign',
    '--insecure-ignition',
    '--insecure',
    '--firstboot-args',
    'rd.neednet=1 ip=dhcp nameserver=1.1.1.1 ',
    '--fetch-retries',
    'infinite',
  ]);
});

test('the NestOS flavour reads nestos.inst.* only', () => {
  const r = serviceArgs('coreos.inst.install_dev=/dev/sda nestos.inst.install_dev=/dev/vdb', [], 'nestos');
  assert.deepEqual(r.args, ['/dev/vdb', '--fetch-retries', 'infinite']);
  assert.equal(serviceArgs('coreos.inst.install_dev=/dev/sda', [], 'nestos').requested, false);
});

test('the last occurrence wins; a bare karg is its own value; booleans are false only for "", 0, no, off', () => {
  const words = cmdlineWords('a=1 b a=2 c=');
  assert.equal(kargValue(words, 'a'), '2');
  assert.equal(kargValue(words, 'b'), 'b');
  assert.equal(kargValue(words, 'c'), '');
  assert.equal(kargValue(words, 'd'), '');
  for (const [value, expected] of [
    ['', false],
    ['0', false],
    ['no', false],
    ['off', false],
    ['1', true],
    ['yes', true],
    ['false', true],
  ] as const) {
    assert.equal(
      kargBool(cmdlineWords(`nestos.inst.insecure=${value}`), 'nestos.inst.insecure'),
      expected,
      `insecure=${value}`,
    );
  }
  assert.equal(kargBool(cmdlineWords('nestos.inst.insecure'), 'nestos.inst.insecure'), true);
  assert.ok(
    !serviceArgs('nestos.inst.install_dev=/dev/vda nestos.inst.insecure=off', [], 'nestos').args.includes('--insecure'),
  );
  assert.ok(
    serviceArgs('nestos.inst.install_dev=/dev/vda nestos.inst.insecure', [], 'nestos').args.includes('--insecure'),
  );
});

test('install_dev without a slash gets /dev/ and a warning; ignition_url=skip adds nothing', () => {
  const r = serviceArgs('nestos.inst.install_dev=sda nestos.inst.ignition_url=skip', [], 'nestos');
  assert.deepEqual(r.args, ['/dev/sda', '--fetch-retries', 'infinite']);
  assert.match(r.warnings[0] ?? '', /nestos\.inst\.install_dev=sda without \/dev\/ is deprecated/);
});

test('network kargs (bare or with values, persist-IP switches included) go to the first boot; s390x kargs are appended', () => {
  const r = serviceArgs(
    'nestos.inst.install_dev=/dev/vda ip=dhcp rd.neednet=1 ipv6.disable=1 net.ifnames=0 net.naming-scheme=rhel-9.0 bootdev=ens3 BOOTIF=01-52-54-00-12-34-56 ' +
      'rd.bootif=0 rd.route=10.0.0.0/8:10.1.1.1 nameserver=1.1.1.1 rd.peerdns=0 biosdevname=0 vlan=v5:ens3 bond=bond0:ens3,ens4 team=team0:ens5 ' +
      'bridge=br0:ens6 ifname=lan:52:54:00:12:34:56 rd.net.timeout.carrier=5 nestos.no_persist_ip nestos.force_persist_ip coreos.no_persist_ip ' +
      'rd.dasd=0.0.0100 rd.zfcp=0.0.5000,0x5005,0x1 rd.znet=qeth,0.0.8000,0.0.8001,0.0.8002 zfcp.allow_lun_scan=0 cio_ignore=all,!condev iproute=x',
    [],
    'nestos',
  );
  const firstboot = r.args[r.args.indexOf('--firstboot-args') + 1];
  assert.equal(
    firstboot,
    'rd.neednet=1 ip=dhcp ipv6.disable=1 net.ifnames=0 net.naming-scheme=rhel-9.0 bootdev=ens3 BOOTIF=01-52-54-00-12-34-56 rd.bootif=0 ' +
      'rd.route=10.0.0.0/8:10.1.1.1 nameserver=1.1.1.1 rd.peerdns=0 biosdevname=0 vlan=v5:ens3 bond=bond0:ens3,ens4 team=team0:ens5 bridge=br0:ens6 ' +
      'ifname=lan:52:54:00:12:34:56 rd.net.timeout.carrier=5 nestos.no_persist_ip nestos.force_persist_ip ',
  );
  const appended = r.args.flatMap((a, i) => (a === '--append-karg' ? [r.args[i + 1]] : []));
  assert.deepEqual(appended, [
    'rd.dasd=0.0.0100',
    'rd.zfcp=0.0.5000,0x5005,0x1',
    'rd.znet=qeth,0.0.8000,0.0.8001,0.0.8002',
    'zfcp.allow_lun_scan=0',
    'cio_ignore=all,!condev',
  ]);
});

test('no_persist_ip does not drop the other network kargs', () => {
  const r = serviceArgs('coreos.inst.install_dev=/dev/vda coreos.no_persist_ip ip=dhcp', [], 'coreos');
  assert.ok(r.args.includes('rd.neednet=1 coreos.no_persist_ip ip=dhcp '));
});

test('nothing requested without a destination karg or a config file; config files alone request an install', () => {
  assert.equal(serviceArgs('quiet console=ttyS0 ip=dhcp', [], 'nestos').requested, false);
  assert.equal(serviceArgs('quiet', ['/etc/nestos/installer.d/a.yaml'], 'nestos').requested, true);
});
