/**
 * NestOS vs CoreOS names on live ISOs: the run's flavour (program name or --flavor) picks the
 * metadata directory (NESTOS/ or COREOS/) and what is written; an image carrying only the other
 * flavour's directory is handled as that flavour. nestos-installer's ISO 9660 rule: a path
 * component OPENEULER resolves to the first record of its directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runCli } from '../../helpers/cli.js';

const AREA = 262144;
const SIZE = 96;

function region(kargs: string): string {
  return kargs + '\n' + '#'.repeat(SIZE - kargs.length - 1);
}

/** A small live ISO; `meta` maps a metadata dir (nestos, coreos) to its default kargs and features. */
function buildIso(
  meta: Record<string, { kargs: string; features: object; kargsPath?: string }>,
  grubDir = 'EFI/BOOT',
): { dir: string; iso: string } {
  const dir = mkdtempSync(join(tmpdir(), 'iso-flavor-'));
  const root = join(dir, 'root');
  const prefix = 'menuentry live {\n  linux /images/pxeboot/vmlinuz ';
  const files: Record<string, string | Buffer> = {
    'images/ignition.img': Buffer.alloc(AREA),
    'images/pxeboot/vmlinuz': Buffer.alloc(2048, 1),
  };
  // One kargs region per metadata dir, each in its own grub.cfg copy.
  for (const [name, m] of Object.entries(meta)) {
    files[`${grubDir}/${name}.cfg`] = `${prefix}${region(m.kargs)}\n}\n`;
    files[`${name}/igninfo.json`] = JSON.stringify({ file: 'images/ignition.img' });
    files[`${name}/kargs.json`] = JSON.stringify({
      default: m.kargs,
      size: SIZE,
      files: [{ path: m.kargsPath ?? `${grubDir}/${name}.cfg`, offset: prefix.length }],
    });
    files[`${name}/features.json`] = JSON.stringify(m.features);
  }
  for (const [p, data] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), data);
  }
  const iso = join(dir, 'live.iso');
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-V', 'FLAVOR_TEST', '-o', iso, root], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { dir, iso };
}

const ALL = { 'installer-config': true, 'installer-config-directives': { console: true }, 'live-initrd-network': true };

async function cli(args: string[]): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, 0, `${args.join(' ')}\n${r.stderr}`);
  return r.stdout.toString();
}

async function areaMembers(iso: string, flavorArgs: string[]): Promise<string> {
  const area = JSON.parse(await cli(['dev', 'show', 'iso', '--ignition', ...flavorArgs, iso])) as {
    offset: number;
    length: number;
  };
  return (
    await runCli(['dev', 'show', 'initrd', '-'], {
      input: readFileSync(iso).subarray(area.offset, area.offset + area.length),
    })
  ).stdout.toString();
}

test('an ISO with both metadata directories is read and written as the selected flavour', async () => {
  const { dir, iso } = buildIso({
    nestos: { kargs: 'nestos.liveiso=x', features: ALL },
    coreos: { kargs: 'coreos.liveiso=x', features: ALL },
  });
  assert.equal(await cli(['iso', 'kargs', 'show', '--default', iso]), 'nestos.liveiso=x\n');
  assert.equal(await cli(['iso', 'kargs', 'show', '--default', '--flavor', 'coreos', iso]), 'coreos.liveiso=x\n');
  const key = join(dir, 'eth0.nmconnection');
  writeFileSync(key, '[connection]\n');
  await cli(['iso', 'network', 'embed', '--flavor', 'coreos', '-k', key, iso]);
  assert.equal(await areaMembers(iso, ['--flavor', 'coreos']), 'etc/coreos-firstboot-network/eth0.nmconnection\n');
  await cli(['iso', 'network', 'embed', '-f', '-k', key, iso]);
  assert.equal(await areaMembers(iso, []), 'etc/nestos-firstboot-network/eth0.nmconnection\n');

  // iso customize writes the flavour's installer paths and unit names into the live config.
  await cli(['iso', 'customize', '-f', '--flavor', 'coreos', '--dest-device', '/dev/vda', '--pre-install', key, iso]);
  const config = JSON.parse(await cli(['iso', 'ignition', 'show', '--flavor', 'coreos', iso])) as {
    storage: { files: Array<{ path: string }> };
    systemd: { units: Array<{ name: string; contents: string }> };
  };
  assert.deepEqual(config.storage.files.map((f) => f.path).sort(), [
    '/etc/coreos/installer.d/0000-customize.yaml',
    '/usr/local/bin/pre-install-eth0.nmconnection',
  ]);
  assert.match(config.systemd.units[0]!.contents, /^Before=coreos-installer\.service$/m);
  assert.doesNotMatch(config.systemd.units[0]!.contents, /nestos/);
});

test("an ISO with only the other flavour's directory is handled as that flavour", async () => {
  const { dir, iso } = buildIso({ nestos: { kargs: 'nestos.liveiso=only', features: ALL } });
  assert.equal(await cli(['iso', 'kargs', 'show', '--default', '--flavor', 'coreos', iso]), 'nestos.liveiso=only\n');
  const key = join(dir, 'eth1.nmconnection');
  writeFileSync(key, '[connection]\n');
  await cli(['iso', 'network', 'embed', '--flavor', 'coreos', '-k', key, iso]);
  assert.equal(await areaMembers(iso, ['--flavor', 'coreos']), 'etc/nestos-firstboot-network/eth1.nmconnection\n');
  const customized = mkdtempSync(join(tmpdir(), 'iso-flavor-out-'));
  await cli([
    'iso',
    'customize',
    '-f',
    '--flavor',
    'coreos',
    '--dest-device',
    '/dev/vda',
    '-o',
    join(customized, 'c.iso'),
    iso,
  ]);
  const config = JSON.parse(await cli(['iso', 'ignition', 'show', join(customized, 'c.iso')])) as {
    storage: { files: Array<{ path: string; contents: { source: string } }> };
  };
  const gen = config.storage.files.find((f) => f.path === '/etc/nestos/installer.d/0000-customize.yaml');
  assert.ok(gen, JSON.stringify(config.storage.files.map((f) => f.path)));
  assert.equal(
    gunzipSync(Buffer.from(gen.contents.source.replace(/^data:;base64,/, ''), 'base64')).toString(),
    'dest-device: /dev/vda\n',
  );
});

test('NestOS: a path component OPENEULER resolves to the first record of its directory; CoreOS has no such rule', async () => {
  // kargs.json names EFI/openEuler/…, the image has only EFI/BOOT/ (the first record of EFI/).
  const { iso } = buildIso({
    nestos: { kargs: 'nestos.liveiso=oe', features: ALL, kargsPath: 'EFI/openEuler/nestos.cfg' },
  });
  assert.equal(await cli(['iso', 'kargs', 'show', iso]), 'nestos.liveiso=oe\n');
  const r = await runCli(['iso', 'kargs', 'show', '--flavor', 'coreos', iso]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /kargs\.json names 'EFI\/openEuler\/nestos\.cfg', which is not in the ISO image/);
});
