/** pxe ignition/network wrap + unwrap, dev show/extract initrd, and hostile archives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { MAIN_JS } from '../../helpers/paths.js';
import { writeNewc } from '../../../src/initrd/cpio-newc.js';
import { xzCrc32 } from '../../../src/initrd/xz-encoder.js';

const dir = mkdtempSync(join(tmpdir(), 'pxe-test-'));
const CONFIG = '{"ignition":{"version":"3.4.0"}}';

test('ignition wrap is xz(newc) with CRC32, deterministic, unwraps, xzcat|cpio reads it', async () => {
  const out = join(dir, 'ign.img');
  writeFileSync(out, 'old content gets overwritten');
  const r = await runCli(['pxe', 'ignition', 'wrap', '-o', out], { input: CONFIG });
  assert.equal(r.code, 0, r.stderr);
  const bytes = readFileSync(out);
  assert.equal(bytes.subarray(0, 8).toString('hex'), 'fd377a585a000001');
  const again = await runCli(['pxe', 'ignition', 'wrap'], { input: CONFIG });
  assert.deepEqual(again.stdout, bytes);
  assert.deepEqual(bytes, xzCrc32(writeNewc(new Map([['config.ign', Buffer.from(CONFIG)]]))));
  const listed = execFileSync('sh', ['-c', `xzcat '${out}' | cpio -it --quiet`]).toString();
  assert.equal(listed, 'config.ign\n');
  const un = await runCli(['pxe', 'ignition', 'unwrap', out]);
  assert.equal(un.stdout.toString(), CONFIG);
  const viaStdin = await runCli(['pxe', 'ignition', 'unwrap'], { input: bytes });
  assert.equal(viaStdin.stdout.toString(), CONFIG);
});

test('ignition wrap validates unless --no-validate; unwrap without config fails', async () => {
  const bad = await runCli(['pxe', 'ignition', 'wrap'], {
    input: '{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"rel"}]}}',
  });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\$\.storage\.files\[0\]\.path: path not absolute/);
  const ok = await runCli(['pxe', 'ignition', 'wrap', '--no-validate'], { input: 'anything' });
  assert.equal(ok.code, 0, ok.stderr);
  const net = join(dir, 'net.img');
  const k = join(dir, 'eth0.nmconnection');
  writeFileSync(k, '[connection]\n');
  assert.equal((await runCli(['pxe', 'network', 'wrap', '-k', k, '-o', net])).code, 0);
  const un = await runCli(['pxe', 'ignition', 'unwrap', net]);
  assert.equal(un.code, 1);
  assert.match(un.stderr, /couldn't find Ignition config in archive/);
});

test('network wrap/unwrap, duplicates refused, -C writes basenames create-new', async () => {
  const a = join(dir, 'a.nmconnection');
  const b = join(dir, 'b.nmconnection');
  writeFileSync(a, 'A\n');
  writeFileSync(b, 'B\n');
  const wrapped = await runCli(['pxe', 'network', 'wrap', '-k', a, '-k', b]);
  assert.equal(wrapped.code, 0, wrapped.stderr);
  const img = join(dir, 'netw.img');
  writeFileSync(img, wrapped.stdout);
  const shown = await runCli(['pxe', 'network', 'unwrap', img]);
  assert.equal(
    shown.stdout.toString(),
    '########## a.nmconnection ##########\nA\n\n########## b.nmconnection ##########\nB\n',
  );
  const outDir = join(dir, 'extracted');
  const ex = await runCli(['pxe', 'network', 'unwrap', '-C', outDir, img]);
  assert.equal(ex.stdout.toString(), `${join(outDir, 'a.nmconnection')}\n${join(outDir, 'b.nmconnection')}\n`);
  const again = await runCli(['pxe', 'network', 'unwrap', '-C', outDir, img]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /exists/);
  const dup = await runCli(['pxe', 'network', 'wrap', '-k', a, '-k', join(dir, 'extracted', 'a.nmconnection')]);
  assert.match(dup.stderr, /multiple input files named 'a.nmconnection'/);
  const list = await runCli(['dev', 'show', 'initrd', img]);
  assert.equal(
    list.stdout.toString(),
    'etc/nestos-firstboot-network/a.nmconnection\netc/nestos-firstboot-network/b.nmconnection\n',
  );
});

test('network wrap follows the flavour: NestOS names by default, CoreOS ones with --flavor coreos or as coreos-installer', async () => {
  const k = join(dir, 'eth9.nmconnection');
  writeFileSync(k, '[connection]\n');
  const listed = async (args: string[], env?: Record<string, string>) => {
    const wrapped = await runCli(['pxe', 'network', 'wrap', '-k', k, ...args], env ? { env } : {});
    assert.equal(wrapped.code, 0, wrapped.stderr);
    // `-` is stdin for dev show initrd, as upstream.
    const list = await runCli(['dev', 'show', 'initrd', '-'], { input: wrapped.stdout });
    assert.equal(list.code, 0, list.stderr);
    return list.stdout.toString();
  };
  assert.equal(await listed([]), 'etc/nestos-firstboot-network/eth9.nmconnection\n');
  assert.equal(await listed(['--flavor', 'coreos']), 'etc/coreos-firstboot-network/eth9.nmconnection\n');
  assert.equal(await listed(['--flavor', 'nestos']), 'etc/nestos-firstboot-network/eth9.nmconnection\n');
  const bad = await runCli(['pxe', 'network', 'wrap', '-k', k, '--flavor', 'fedora']);
  assert.equal(bad.code, 2, bad.stderr);
  // Started under the alias the package installs (`bin` coreos-installer → the same launcher).
  const alias = join(dir, 'coreos-installer');
  symlinkSync(MAIN_JS, alias);
  const wrapped = execFileSync(process.execPath, [alias, 'pxe', 'network', 'wrap', '-k', k]);
  const list = await runCli(['dev', 'show', 'initrd', '-'], { input: wrapped });
  assert.equal(list.stdout.toString(), 'etc/coreos-firstboot-network/eth9.nmconnection\n');
  assert.match(execFileSync(process.execPath, [alias, '--help']).toString(), /^coreos-installer <command>/);
  // A wrapper script that starts node itself names the program in the environment.
  const viaEnv = await runCli(['pxe', 'network', 'wrap', '-k', k], {
    env: { NESTOS_INSTALLER_PROGRAM: '/usr/bin/coreos-installer' },
  });
  assert.equal(
    (await runCli(['dev', 'show', 'initrd', '-'], { input: viaEnv.stdout })).stdout.toString(),
    'etc/coreos-firstboot-network/eth9.nmconnection\n',
  );
});

test('dev extract initrd rejects ../x and /etc/x; extracts normal members', async () => {
  for (const name of ['../f', '/etc/adjtime', 'a/../../f']) {
    const img = join(dir, 'trav.img');
    writeFileSync(img, xzCrc32(writeNewc(new Map([[name, Buffer.from('contents\n')]]))));
    const target = mkdtempSync(join(tmpdir(), 'trav-'));
    const r = await runCli(['dev', 'extract', 'initrd', '-C', target, img]);
    assert.equal(r.code, 1, name);
    assert.match(r.stderr, /contains path traversal/);
    assert.equal(existsSync(join(target, '..', 'f')), false);
  }
  const img = join(dir, 'fine.img');
  writeFileSync(
    img,
    xzCrc32(
      writeNewc(
        new Map([
          ['x/y', Buffer.from('Y')],
          ['z', Buffer.from('Z')],
        ]),
      ),
    ),
  );
  const target = mkdtempSync(join(tmpdir(), 'extract-'));
  const r = await runCli(['dev', 'extract', 'initrd', '-v', '-C', target, img, 'x/*']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), `${join(target, 'x/y')}\n`);
  assert.equal(readFileSync(join(target, 'x/y'), 'utf8'), 'Y');
});

test('compressed archive with trailing garbage is refused', async () => {
  const img = join(dir, 'garbage.img');
  writeFileSync(
    img,
    xzCrc32(Buffer.concat([writeNewc(new Map([['config.ign', Buffer.from(CONFIG)]])), Buffer.from('garbage')])),
  );
  const r = await runCli(['pxe', 'ignition', 'unwrap', img]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /found trailing garbage inside compressed archive/);
});
