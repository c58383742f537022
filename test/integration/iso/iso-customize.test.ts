/** iso customize / pxe customize: generated live config, features gating, -f, no-clobber. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runCli } from '../../helpers/cli.js';
import { IMAGES_DIR } from '../../helpers/paths.js';
import { buildFixtureIso } from '../../helpers/iso-fixture.js';
import { writeNewc } from '../../../src/initrd/cpio-newc.js';

const f = buildFixtureIso({ flavor: 'nestos' });
const w = (name: string, content: string) => {
  const p = join(f.dir, name);
  writeFileSync(p, content);
  return p;
};
const DEST = '{"ignition":{"version":"3.3.0"},"passwd":{"users":[{"name":"core"}]}}';

function decode(source: string): string {
  const m = /^data:;base64,(.*)$/.exec(source);
  assert.ok(m);
  return gunzipSync(Buffer.from(m[1]!, 'base64')).toString();
}

test('iso customize builds a self-installing live config (nestos paths on nestos media)', async () => {
  const args = [
    'iso',
    'customize',
    '--dest-device',
    '/dev/vda',
    '--dest-ignition',
    w('dest.ign', DEST),
    '--dest-console',
    'ttyS0,115200n8',
    '--dest-karg-append',
    'foo=bar',
    '--network-keyfile',
    w('eth0.nmconnection', '[connection]\n'),
    '--pre-install',
    w('pre.sh', '#!/bin/sh\necho pre\n'),
    '--installer-config',
    w('extra.yaml', 'insecure: true\n'),
    '--live-karg-append',
    'live.x=1',
    f.iso,
  ];
  const r = await runCli(args);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Boot media will automatically install to \/dev\/vda without confirmation\./);
  const shown = await runCli(['iso', 'ignition', 'show', f.iso]);
  const config = JSON.parse(shown.stdout.toString()) as {
    storage: { files: Array<{ path: string; mode: number; contents: { source: string; compression: string } }> };
    systemd: { units: Array<{ name: string }> };
  };
  const files = new Map(config.storage.files.map((x) => [x.path, x]));
  assert.equal(files.has('/etc/coreos/dest.ign'), false, 'one flavour only: the live service merges both dirs');
  for (const flavor of ['nestos']) {
    assert.equal(decode(files.get(`/etc/${flavor}/dest.ign`)!.contents.source), DEST);
    assert.equal(files.get(`/etc/${flavor}/dest.ign`)!.mode, 0o600);
    assert.equal(decode(files.get(`/etc/${flavor}/installer.d/0000-extra.yaml`)!.contents.source), 'insecure: true\n');
    const gen = decode(files.get(`/etc/${flavor}/installer.d/0001-customize.yaml`)!.contents.source);
    assert.match(gen, /dest-device: \/dev\/vda/);
    assert.match(gen, new RegExp(`ignition-file: /etc/${flavor}/dest.ign`));
    assert.match(gen, /append-karg:\n {2}- foo=bar/);
  }
  assert.equal(files.get('/usr/local/bin/pre-install-pre.sh')!.mode, 0o700);
  assert.equal(files.get('/usr/local/bin/pre-install-pre.sh')!.contents.compression, 'gzip');
  assert.deepEqual(
    config.systemd.units.map((u) => u.name),
    ['pre-install-pre.sh.service'],
  );
  const net = await runCli(['iso', 'network', 'extract', f.iso]);
  assert.match(net.stdout.toString(), /########## eth0.nmconnection ##########/);
  assert.match((await runCli(['iso', 'kargs', 'show', f.iso])).stdout.toString(), / live\.x=1\n$/);
  const again = await runCli(args);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /This ISO image is already customized; use -f to force\./);
  const forced = await runCli(['iso', 'customize', '-f', '--live-karg-append', 'y=2', f.iso]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal((await runCli(['iso', 'ignition', 'show', f.iso])).code, 1, 'initrd replaced wholesale');
});

test('features.json gates installer, console and network options', async () => {
  const g = buildFixtureIso({ features: { 'installer-config': true } });
  const con = await runCli(['iso', 'customize', '--dest-console', 'ttyS0', g.iso]);
  assert.match(con.stderr, /does not support customizing the destination console/);
  const h = buildFixtureIso({ features: {} });
  const dev = await runCli(['iso', 'customize', '--dest-device', '/dev/vda', h.iso]);
  assert.match(dev.stderr, /This OS image does not support installer configuration\./);
  const bad = await runCli([
    'iso',
    'customize',
    '--live-ignition',
    w('bad.ign', '{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"x"}]}}'),
    g.iso,
  ]);
  assert.match(bad.stderr, /path not absolute/);
  const nok = buildFixtureIso({ noKargs: true });
  const k = await runCli(['iso', 'customize', '--live-karg-append', 'a', nok.iso]);
  assert.match(k.stderr, /This OS image does not support customizing live kernel arguments\./);
});

test('pxe customize appends one xz archive to the verbatim live initramfs', async (t) => {
  const initramfs = join(IMAGES_DIR, 'nestos-sample-live-initramfs.x86_64.img');
  let input = initramfs;
  if (!existsSync(initramfs)) {
    if (process.env['CI']) throw new Error('missing sample live initramfs');
    input = w('fake-initramfs.img', '');
    writeFileSync(
      input,
      writeNewc(
        new Map([
          ['etc/coreos-live-initramfs', Buffer.alloc(0)],
          ['etc/coreos/features.json', Buffer.from('{"installer-config":true}')],
        ]),
      ),
    );
  }
  const out = join(f.dir, 'custom.img');
  rmSync(out, { force: true });
  const r = await runCli([
    'pxe',
    'customize',
    '--dest-device',
    '/dev/vda',
    '--dest-ignition',
    w('d.ign', DEST),
    '-o',
    out,
    input,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /PXE configuration must include kernel arguments:\n\tignition\.firstboot ignition\.platform\.id=metal/,
  );
  const orig = readFileSync(input);
  const got = readFileSync(out);
  assert.deepEqual(got.subarray(0, orig.length), orig);
  assert.equal(got.subarray(orig.length + 1, orig.length + 5).toString(), '7zXZ');
  const un = await runCli(['pxe', 'ignition', 'unwrap', out]);
  assert.match(un.stdout.toString(), /installer\.d\/0000-customize\.yaml/);
  const again = await runCli(['pxe', 'customize', '--dest-device', '/dev/vda', '-o', join(f.dir, 'x.img'), out]);
  assert.match(again.stderr, /input is already customized/);
  const clobber = await runCli(['pxe', 'customize', '--dest-device', '/dev/vda', '-o', out, input]);
  assert.match(clobber.stderr, /File exists/);
  const notLive = w('notlive.img', '');
  writeFileSync(notLive, writeNewc(new Map([['x', Buffer.from('y')]])));
  const nl = await runCli(['pxe', 'customize', '-o', join(f.dir, 'y.img'), notLive]);
  assert.match(nl.stderr, /not a CoreOS live initramfs image/);
  t.diagnostic(`appended ${got.length - orig.length} bytes`);
});
