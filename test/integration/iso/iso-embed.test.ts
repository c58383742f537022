/**
 * iso ignition/network/kargs/reset on the synthetic fixture (always) and on the sample live ISO
 * (when build/images has it): round trips, identical bytes in all three output modes, -f rules,
 * "too large" leaves the file untouched, independence of Ignition and network entries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { IMAGES_DIR } from '../../helpers/paths.js';
import { buildFixtureIso } from '../../helpers/iso-fixture.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const CONFIG = JSON.stringify({
  ignition: { version: '3.3.0' },
  storage: { files: [{ path: '/etc/hello', contents: { source: 'data:,hello' } }] },
});

async function ok(args: string[], input?: string | Buffer) {
  const r = await runCli(args, { input });
  assert.equal(r.code, 0, `${args.join(' ')} failed: ${r.stderr}`);
  return r;
}
async function fails(args: string[], pattern: RegExp, input?: string | Buffer) {
  const r = await runCli(args, { input });
  assert.equal(r.code, 1, `${args.join(' ')} should fail: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  return r;
}

const fixture = buildFixtureIso();
const targets: Array<{ name: string; iso: string }> = [{ name: 'fixture', iso: fixture.iso }];
const sample = join(IMAGES_DIR, 'nestos-sample-live.x86_64.iso');
if (existsSync(sample)) {
  // A private snapshot: the images helper may rebuild build/images while tests run.
  const snapshot = join(fixture.dir, 'sample-snapshot.iso');
  copyFileSync(sample, snapshot);
  targets.push({ name: 'sample', iso: snapshot });
}

for (const t of targets) {
  const work = (n: string) => {
    const p = join(fixture.dir, `${t.name}-${n}.iso`);
    rmSync(p, { force: true });
    copyFileSync(t.iso, p);
    return p;
  };
  const origSha = sha(t.iso);
  const cfgFile = join(fixture.dir, 'config.ign');
  writeFileSync(cfgFile, CONFIG);

  test(`${t.name}: embed/show round trip, three modes identical, remove restores`, async () => {
    const inplace = work('inplace');
    await ok(['iso', 'ignition', 'embed', '-i', cfgFile, inplace]);
    const shown = await ok(['iso', 'ignition', 'show', inplace]);
    assert.equal(shown.stdout.toString(), CONFIG);
    const src = work('src');
    const outFile = join(fixture.dir, `${t.name}-out.iso`);
    rmSync(outFile, { force: true });
    await ok(['iso', 'ignition', 'embed', '-i', cfgFile, '-o', outFile, src]);
    const streamed = await ok(['iso', 'ignition', 'embed', '-o', '-', src], CONFIG);
    assert.equal(sha(src), origSha, 'source untouched by -o modes');
    assert.equal(sha(outFile), sha(inplace));
    assert.equal(createHash('sha256').update(streamed.stdout).digest('hex'), sha(inplace));
    // -o never clobbers
    await fails(['iso', 'ignition', 'embed', '-i', cfgFile, '-o', outFile, src], /File exists/);
    // -f rules
    await fails(
      ['iso', 'ignition', 'embed', '-i', cfgFile, inplace],
      /already has an embedded Ignition config; use -f to force/,
    );
    await ok(['iso', 'ignition', 'embed', '-f', '-i', cfgFile, inplace]);
    await ok(['iso', 'ignition', 'remove', inplace]);
    assert.equal(sha(inplace), origSha);
    await fails(['iso', 'ignition', 'show', inplace], /No embedded Ignition config\./);
  });

  test(`${t.name}: too large fails in all modes before writing`, async () => {
    const iso = work('big');
    const area = JSON.parse((await ok(['dev', 'show', 'iso', '--ignition', iso])).stdout.toString()) as {
      offset: number;
      length: number;
    };
    const big = join(fixture.dir, 'big.ign');
    writeFileSync(big, randomBytes(area.length));
    const out = join(fixture.dir, `${t.name}-big-out.iso`);
    rmSync(out, { force: true });
    for (const extra of [[], ['-o', out], ['-o', '-']]) {
      await fails(
        ['iso', 'ignition', 'embed', '--no-validate', '-i', big, ...extra, iso],
        /Compressed initramfs is too large: \d+ > 262144/,
      );
    }
    assert.equal(sha(iso), origSha);
    assert.equal(existsSync(out), false);
  });

  test(`${t.name}: invalid config refused unless --no-validate`, async () => {
    const iso = work('invalid');
    await fails(
      ['iso', 'ignition', 'embed', iso],
      /\$\.storage\.files\[0\]\.path: path not absolute/,
      JSON.stringify({ ignition: { version: '3.3.0' }, storage: { files: [{ path: 'x' }] } }),
    );
    assert.equal(sha(iso), origSha);
    await ok(['iso', 'ignition', 'embed', '--no-validate', iso], 'not json');
    assert.equal((await ok(['iso', 'ignition', 'show', iso])).stdout.toString(), 'not json');
  });

  test(`${t.name}: network and Ignition entries are independent; area zero when both removed`, async () => {
    const iso = work('net');
    const k1 = join(fixture.dir, 'eth0.nmconnection');
    writeFileSync(k1, '[connection]\nid=eth0\n');
    await ok(['iso', 'network', 'embed', '-k', k1, iso]);
    await fails(['iso', 'network', 'embed', '-k', k1, iso], /already has embedded network settings; use -f to force/);
    await ok(['iso', 'ignition', 'embed', '-i', cfgFile, iso]);
    const ex = await ok(['iso', 'network', 'extract', iso]);
    assert.equal(ex.stdout.toString(), '########## eth0.nmconnection ##########\n[connection]\nid=eth0\n');
    await ok(['iso', 'network', 'remove', iso]);
    assert.equal((await ok(['iso', 'ignition', 'show', iso])).stdout.toString(), CONFIG);
    await fails(['iso', 'network', 'extract', iso], /No embedded network settings\./);
    await ok(['iso', 'network', 'embed', '-k', k1, iso]);
    await ok(['iso', 'ignition', 'remove', iso]);
    await ok(['iso', 'network', 'remove', iso]);
    const area = JSON.parse((await ok(['dev', 'show', 'iso', '--ignition', iso])).stdout.toString()) as {
      offset: number;
      length: number;
    };
    const bytes = readFileSync(iso).subarray(area.offset, area.offset + area.length);
    assert.ok(bytes.every((b) => b === 0));
    assert.equal(sha(iso), origSha);
  });

  test(`${t.name}: kargs modify/show/reset, longest karg that fits and one more`, async () => {
    const iso = work('kargs');
    const info = JSON.parse((await ok(['dev', 'show', 'iso', '--kargs', iso])).stdout.toString()) as {
      length: number;
      default: string;
    };
    const def = (await ok(['iso', 'kargs', 'show', '--default', iso])).stdout.toString();
    assert.equal(def, info.default + '\n');
    await ok(['iso', 'kargs', 'modify', '-a', 'foo=bar', '-d', 'ignition.firstboot', iso]);
    const cur = (await ok(['iso', 'kargs', 'show', iso])).stdout.toString().trim();
    assert.equal(cur, info.default.replace(' ignition.firstboot', '') + ' foo=bar');
    const out = join(fixture.dir, `${t.name}-kargs-out.iso`);
    rmSync(out, { force: true });
    const copy = work('kargs2');
    await ok(['iso', 'kargs', 'modify', '-a', 'foo=bar', '-d', 'ignition.firstboot', '-o', out, copy]);
    const streamed = await ok(['iso', 'kargs', 'modify', '-a', 'foo=bar', '-d', 'ignition.firstboot', '-o', '-', copy]);
    assert.equal(sha(out), sha(iso));
    assert.equal(createHash('sha256').update(streamed.stdout).digest('hex'), sha(iso));
    await ok(['iso', 'kargs', 'reset', iso]);
    assert.equal(sha(iso), origSha);
    // The longest text that fits is length-1 characters.
    const room = info.length - 1 - info.default.length - 1;
    await ok(['iso', 'kargs', 'modify', '-a', 'x'.repeat(room), iso]);
    assert.equal((await ok(['iso', 'kargs', 'show', iso])).stdout.toString().length, info.length); // text + "\n"
    await ok(['iso', 'kargs', 'reset', iso]);
    await fails(
      ['iso', 'kargs', 'modify', '-a', 'x'.repeat(room + 1), iso],
      new RegExp(`kargs too large for area: ${info.length + 1} vs ${info.length}`),
    );
    assert.equal(sha(iso), origSha);
    await ok(['iso', 'kargs', 'modify', '-a', 'y=1', iso]);
    await ok(['iso', 'ignition', 'embed', '-i', cfgFile, iso]);
    await ok(['iso', 'reset', iso]);
    assert.equal(sha(iso), origSha);
  });
}

test('plain ISO: Unrecognized CoreOS ISO image with a --rebuild hint', async () => {
  const plain = buildFixtureIso({ plain: true });
  const r = await fails(['iso', 'ignition', 'embed', plain.iso], /Unrecognized CoreOS ISO image\./, CONFIG);
  assert.match(r.stderr, /--rebuild/);
  await fails(['iso', 'kargs', 'show', plain.iso], /No karg embed areas found; old or corrupted CoreOS ISO image\./);
});

test('network embed needs live-initrd-network', async () => {
  const f = buildFixtureIso({ features: {} });
  const k = join(f.dir, 'a.nmconnection');
  writeFileSync(k, 'x');
  await fails(
    ['iso', 'network', 'embed', '-k', k, f.iso],
    /This OS image does not support customizing network settings\./,
  );
  await fails(
    ['iso', 'network', 'embed', '-k', k, '-k', join(f.dir, 'a.nmconnection'), buildFixtureIso().iso],
    /multiple input files named 'a.nmconnection'/,
  );
});

test('nestos media: network files under etc/nestos-firstboot-network', async () => {
  const f = buildFixtureIso({ flavor: 'nestos' });
  const k = join(f.dir, 'eth0.nmconnection');
  writeFileSync(k, 'x');
  await ok(['iso', 'network', 'embed', '-k', k, f.iso]);
  const area = JSON.parse((await ok(['dev', 'show', 'iso', '--ignition', f.iso])).stdout.toString()) as {
    offset: number;
    length: number;
  };
  const img = join(f.dir, 'area.img');
  writeFileSync(img, readFileSync(f.iso).subarray(area.offset, area.offset + area.length));
  const list = await ok(['dev', 'show', 'initrd', img]);
  assert.equal(list.stdout.toString(), 'etc/nestos-firstboot-network/eth0.nmconnection\n');
});
