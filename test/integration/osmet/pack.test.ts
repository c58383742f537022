// `pack osmet` on a real loop device holding a small test disk (osmet fixture): what it maps, that
// install --offline rebuilds the disk bit for bit from the file + the repo, and its refusals
// (wrong checksum caught by its own unpacking test; not a block device; a missing label).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/exec/run.js';
import { withLoopDevice } from '../../helpers/loop.js';
import { readOsmetFile } from '../../../src/osmet/file.js';
import { objectHex } from '../../../src/osmet/format.js';
import { runCli } from '../../helpers/cli.js';
import { buildOsmetFixture } from './fixture.js';

const DESCRIPTION = 'NestOS osmet fixture';

async function pack(device: string, output: string, checksum: string) {
  return runCli([
    'pack',
    'osmet',
    '--fast',
    '--output',
    output,
    '--checksum',
    checksum,
    '--description',
    DESCRIPTION,
    device,
  ]);
}

/** pack osmet on a read-only loop device of `raw`. */
const packFile = (raw: string, output: string, checksum: string) =>
  withLoopDevice(raw, { readOnly: true }, (dev) => pack(dev, output, checksum));

const sha256File = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

test('pack osmet maps the OSTree objects and the /boot copy; install --offline rebuilds the disk bit for bit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osmet-pack-'));
  try {
    const fx = await buildOsmetFixture(dir);
    const osmetDir = join(dir, 'osmet');
    mkdirSync(osmetDir);
    const out = join(osmetDir, 'fixture.osmet');
    const r = await packFile(fx.raw, out, fx.sha256);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Total OSTree objects scanned from \/root: 4 \(3 mapped, 1 empty\)/);
    assert.match(r.stderr, /Total OSTree objects found in \/boot: 1\n/);
    assert.match(r.stderr, /Verifying that repacked image matches digest\nPacking successful!/);

    const file = await readOsmetFile(out);
    assert.deepEqual(
      {
        description: file.header.description,
        sectorSize: file.header.sectorSize,
        architecture: file.header.architecture,
      },
      { description: DESCRIPTION, sectorSize: 512, architecture: 'x86_64' },
    );
    assert.equal(file.body.size, fx.size);
    assert.equal(file.body.checksum.toString('hex'), fx.sha256);
    const [boot, root] = file.body.partitions;
    assert.ok(boot && root && file.body.partitions.length === 2);
    assert.equal(boot.startOffset, 2048 * 512 + 1024 * 1024, 'boot is partition 2, after the 1 MiB BIOS-BOOT');
    assert.ok(
      boot.mappings.length > 0 && boot.mappings.every((m) => objectHex(m.object) === fx.objects.kernel),
      'the /boot copy maps to the kernel object',
    );
    const rootObjects = new Set(root.mappings.map((m) => objectHex(m.object)));
    assert.deepEqual([...rootObjects].sort(), [fx.objects.kernel, fx.objects.big, fx.objects.tiny].sort());
    const bigBytes = root.mappings
      .filter((m) => objectHex(m.object) === fx.objects.big)
      .reduce((n, m) => n + m.extent.length, 0);
    assert.equal(bigBytes, 200 * 1024);

    const target = join(dir, 'target.img');
    const inst = await runCli(['install', '--offline', '--dest-size', String(fx.size), target], {
      env: { NESTOS_INSTALLER_OSMET_DIR: osmetDir, NESTOS_INSTALLER_OSMET_REPO: fx.repo },
    });
    assert.equal(inst.code, 0, inst.stderr);
    assert.match(inst.stderr, new RegExp(`Installing ${DESCRIPTION} x86_64 \\(512-byte sectors\\)`));
    assert.equal(sha256File(target), fx.sha256);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pack osmet: a wrong --checksum fails its unpacking test, leaving no output and nothing mounted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osmet-pack-bad-'));
  try {
    const fx = await buildOsmetFixture(dir);
    const outDir = join(dir, 'out');
    mkdirSync(outDir);
    const r = await packFile(fx.raw, join(outDir, 'x.osmet'), '0'.repeat(64));
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /Error: unpacking test\n\nCaused by:\n +0: while unpacking\n +1: expected final checksum 0{64}, but got [0-9a-f]{64}\n/,
    );
    assert.deepEqual(readdirSync(outDir), []);
    assert.doesNotMatch(readFileSync('/proc/mounts', 'utf8'), new RegExp(`${tmpdir()}/nestos-installer-`));
    const bad = await pack('/dev/null', join(outDir, 'x.osmet'), 'ABC');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--checksum 'ABC': expected a sha256 in 64 lowercase hex characters/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pack osmet: a regular file, or a disk without a root filesystem, is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osmet-pack-refuse-'));
  try {
    const fx = await buildOsmetFixture(dir);
    const file = await pack(fx.raw, join(dir, 'x.osmet'), fx.sha256);
    assert.equal(file.code, 1);
    assert.match(file.stderr, new RegExp(`Error: ${fx.raw} is not a block device`));
    const copy = join(dir, 'relabelled.raw');
    copyFileSync(fx.raw, copy);
    await withLoopDevice(copy, {}, async (dev) => {
      await run('e2label', [`${dev}p3`, 'notroot']);
      const r = await pack(dev, join(dir, 'x.osmet'), fx.sha256);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`Error: couldn't find root device for ${dev}`));
    });
    assert.equal(existsSync(join(dir, 'x.osmet')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
