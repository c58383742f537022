/**
 * `iso customize` / `pxe customize --network-nmstate`: the converted keyfiles land in the live
 * initrd exactly like `--network-keyfile` files (and turn on copy-network for the installer);
 * media without the `live-initrd-network` feature refuse them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runCli } from '../../helpers/cli.js';
import { IMAGES_DIR } from '../../helpers/paths.js';
import { buildFixtureIso } from '../../helpers/iso-fixture.js';
import { writeNewc } from '../../../src/initrd/cpio-newc.js';
import { convertNmstateYaml } from '../../../src/network/nmstate.js';

const NMSTATE = `interfaces:
- name: bond0
  type: bond
  state: up
  ipv4:
    enabled: true
    address:
    - ip: 192.0.2.10
      prefix-length: 24
  link-aggregation:
    mode: active-backup
    options: {miimon: 100}
    port: [eth0, eth1]
dns-resolver:
  config:
    server: [192.0.2.1]
routes:
  config:
  - destination: 0.0.0.0/0
    next-hop-address: 192.0.2.1
    next-hop-interface: bond0
`;
const EXPECTED = new Map(convertNmstateYaml(NMSTATE).map((k) => [k.name, k.data]));

function sampleOrSkip(t: { skip: (m: string) => void }, name: string): string | undefined {
  const p = join(IMAGES_DIR, name);
  if (existsSync(p)) return p;
  if (process.env['CI']) throw new Error(`missing ${p}; run npm run images`);
  t.skip(`missing ${name}; run npm run images`);
  return undefined;
}

test(
  'iso customize --network-nmstate embeds the converted keyfiles in the sample live ISO',
  { timeout: 120_000 },
  async (t) => {
    const sample = sampleOrSkip(t, 'nestos-sample-live.x86_64.iso');
    if (!sample) return;
    const dir = mkdtempSync(join(tmpdir(), 'nmstate-iso-'));
    try {
      const yaml = join(dir, 'net.yml');
      writeFileSync(yaml, NMSTATE);
      const iso = join(dir, 'live.iso');
      copyFileSync(sample, iso);
      const r = await runCli(['iso', 'customize', '--network-nmstate', yaml, '--dest-device', '/dev/vda', iso]);
      assert.equal(r.code, 0, r.stderr);
      const out = join(dir, 'net');
      const ex = await runCli(['iso', 'network', 'extract', '-C', out, iso]);
      assert.equal(ex.code, 0, ex.stderr);
      assert.deepEqual(readdirSync(out).sort(), ['bond0.nmconnection', 'eth0.nmconnection', 'eth1.nmconnection']);
      for (const [name, data] of EXPECTED) assert.deepEqual(readFileSync(join(out, name)), data, name);
      assert.match(
        readFileSync(join(out, 'bond0.nmconnection'), 'utf8'),
        /address1=192\.0\.2\.10\/24,192\.0\.2\.1\ndns=192\.0\.2\.1;\n/,
      );
      // as with --network-keyfile, the installer copies the network config to the destination
      const config = JSON.parse((await runCli(['iso', 'ignition', 'show', iso])).stdout.toString()) as {
        storage: { files: Array<{ path: string; contents: { source: string } }> };
      };
      const gen = config.storage.files.find((f) => f.path.endsWith('-customize.yaml'));
      assert.ok(gen);
      assert.match(
        gunzipSync(Buffer.from(gen.contents.source.replace(/^data:;base64,/, ''), 'base64')).toString(),
        /copy-network: true/,
      );
      // a converted name colliding with a --network-keyfile name is refused, nothing written
      const kf = join(dir, 'eth0.nmconnection');
      writeFileSync(kf, '[connection]\n');
      const before = readFileSync(iso);
      const dup = await runCli(['iso', 'customize', '-f', '--network-keyfile', kf, '--network-nmstate', yaml, iso]);
      assert.equal(dup.code, 1);
      assert.match(dup.stderr, /multiple input files named 'eth0\.nmconnection'/);
      assert.ok(readFileSync(iso).equals(before), 'ISO untouched');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('--network-nmstate is refused without the live-initrd-network feature and for unsupported keys', async () => {
  const f = buildFixtureIso({ features: { 'installer-config': true } });
  try {
    const yaml = join(f.dir, 'net.yml');
    writeFileSync(yaml, NMSTATE);
    const r = await runCli(['iso', 'customize', '--network-nmstate', yaml, f.iso]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /This OS image does not support customizing network settings\./);
    const ok = buildFixtureIso();
    try {
      const bad = join(f.dir, 'bad.yml');
      writeFileSync(bad, 'interfaces:\n- name: eth0\n  type: ethernet\n  ethtool: {feature: {rx-checksum: false}}\n');
      const u = await runCli(['iso', 'customize', '--network-nmstate', bad, ok.iso]);
      assert.equal(u.code, 1);
      assert.match(u.stderr, /converting nmstate file .*bad\.yml/);
      assert.match(u.stderr, /interfaces\[0\]\.ethtool \(interface 'eth0'\): nmstate key 'ethtool' is not supported/);
      assert.match(u.stderr, /nmstatectl gc.*--network-keyfile/);
    } finally {
      rmSync(ok.dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test('pxe customize --network-nmstate appends the keyfiles; refused without the feature', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nmstate-pxe-'));
  try {
    const yaml = join(dir, 'net.yml');
    writeFileSync(yaml, NMSTATE);
    const noNet = join(dir, 'nonet.img');
    writeFileSync(
      noNet,
      writeNewc(
        new Map([
          ['etc/coreos-live-initramfs', Buffer.alloc(0)],
          ['etc/coreos/features.json', Buffer.from('{"installer-config":true}')],
        ]),
      ),
    );
    const refused = await runCli(['pxe', 'customize', '--network-nmstate', yaml, '-o', join(dir, 'x.img'), noNet]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /This OS image does not support customizing network settings\./);
    assert.equal(existsSync(join(dir, 'x.img')), false);
    const sample = sampleOrSkip(t, 'nestos-sample-live-initramfs.x86_64.img');
    if (!sample) return;
    const out = join(dir, 'custom.img');
    const r = await runCli(['pxe', 'customize', '--network-nmstate', yaml, '-o', out, sample]);
    assert.equal(r.code, 0, r.stderr);
    const files = join(dir, 'files');
    const ex = await runCli(['dev', 'extract', 'initrd', '-C', files, out, 'etc/nestos-firstboot-network/*']);
    assert.equal(ex.code, 0, ex.stderr);
    for (const [name, data] of EXPECTED)
      assert.deepEqual(readFileSync(join(files, 'etc/nestos-firstboot-network', name)), data, name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
