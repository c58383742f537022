/**
 * ENOSPC: destinations on a small tmpfs. Every command exits 1 naming the cause
 * ("No space left on device"), and leaves no output file and no temp file behind (the
 * final name never appears; atomic outputs clean their temp file).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { runCli } from '../../helpers/cli.js';
import { buildFixtureIso, type Fixture } from '../../helpers/iso-fixture.js';
import { createFaultWorld, type FaultWorld } from './fixture.js';

let w: FaultWorld;
let iso: Fixture;
let small: string;
const NOSPACE = /No space left on device|ENOSPC/;

before(async () => {
  w = await createFaultWorld();
  iso = buildFixtureIso();
  small = join(w.dir, 'small');
  mkdirSync(small);
  await run('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'nestos-faults-tmpfs', small]);
});
after(async () => {
  if (small) await run('umount', [small]).catch(() => undefined);
  if (iso) rmSync(iso.dir, { recursive: true, force: true });
  await w?.dispose();
});

/** A fresh empty directory on the tmpfs. */
function fresh(name: string): string {
  for (const e of readdirSync(small)) rmSync(join(small, e), { recursive: true, force: true });
  const d = join(small, name);
  mkdirSync(d);
  return d;
}

test('install to a new file target on a full filesystem: exit 1, file removed', { timeout: 120_000 }, async () => {
  const image = await w.signedFile('enospc.raw.xz', w.xz);
  const dir = fresh('install');
  const target = join(dir, 'vm.img');
  const r = await runCli(['install', target, '--dest-size', '64M', '-f', image, '--trusted-key', w.pub], {
    env: w.env,
  });
  assert.equal(r.code, 1, r.stderr);
  // A write error, named as one (not as a decoding failure).
  assert.match(r.stderr, new RegExp(`\\nError: writing ${target} at offset \\d+: No space left on device\\n`));
  assert.doesNotMatch(r.stderr, /decoding failed/);
  assert.deepEqual(readdirSync(dir), [], 'no half-written target');
});

test('download -d onto a full filesystem: exit 1, no final file', { timeout: 120_000 }, async () => {
  w.server.route('/nospace/os.raw.xz', { body: w.xz });
  w.server.route('/nospace/os.raw.xz.sig', { body: w.key.signBinary(w.xz) });
  const dir = fresh('download');
  const r = await runCli(
    ['download', '-d', '-u', `${w.server.url}nospace/os.raw.xz`, '--trusted-key', w.pub, '-C', dir],
    { env: w.env },
  );
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, NOSPACE);
  assert.deepEqual(
    readdirSync(dir).filter((f) => !f.endsWith('.part')),
    [],
    'no final file (a resumable .part may stay)',
  );
});

test(
  'iso ignition embed -o onto a full filesystem: exit 1, no output, no temp file',
  { timeout: 120_000 },
  async () => {
    const dir = fresh('iso');
    writeFileSync(join(w.dir, 'c.ign'), '{"ignition":{"version":"3.3.0"}}');
    const out = join(dir, 'out.iso');
    // The fixture ISO is larger than the 2 MiB tmpfs once its filler is counted.
    const big = buildFixtureIso({ filler: 3 * 1024 * 1024 });
    try {
      const r = await runCli(['iso', 'ignition', 'embed', '-i', join(w.dir, 'c.ign'), '-o', out, big.iso]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, NOSPACE);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      rmSync(big.dir, { recursive: true, force: true });
    }
  },
);

test('pxe ignition wrap -o onto a full filesystem: exit 1, no partial output', { timeout: 120_000 }, async () => {
  const dir = fresh('pxe');
  // ~3 MiB of incompressible inline data: the xz cpio does not fit the 2 MiB tmpfs.
  const { randomBytes } = await import('node:crypto');
  const big = {
    ignition: { version: '3.4.0' },
    storage: {
      files: [{ path: '/x', contents: { source: `data:;base64,${randomBytes(3 * 1024 * 1024).toString('base64')}` } }],
    },
  };
  const config = join(w.dir, 'big.ign');
  writeFileSync(config, JSON.stringify(big));
  const out = join(dir, 'config.img');
  const r = await runCli(['pxe', 'ignition', 'wrap', '-i', config, '-o', out]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, NOSPACE);
  assert.deepEqual(readdirSync(dir), [], 'no partial config.img and no temp file');
});

test('iso extract pxe -o onto a full filesystem: exit 1, no partial file', { timeout: 120_000 }, async () => {
  const dir = fresh('extract');
  // A fixture whose pxeboot rootfs alone is larger than the 2 MiB tmpfs.
  const big = buildFixtureIso({ filler: 0 });
  const { execFileSync } = await import('node:child_process');
  const root = join(big.dir, 'root');
  writeFileSync(join(root, 'images/pxeboot/rootfs.img'), Buffer.alloc(3 * 1024 * 1024, 0x52));
  const iso = join(big.dir, 'big.iso');
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-o', iso, root], { stdio: 'ignore' });
  try {
    const r = await runCli(['iso', 'extract', 'pxe', '-o', dir, iso]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, NOSPACE);
    for (const name of readdirSync(dir)) {
      assert.doesNotMatch(name, /rootfs/, `partial ${name} left behind`);
    }
  } finally {
    rmSync(big.dir, { recursive: true, force: true });
  }
});
