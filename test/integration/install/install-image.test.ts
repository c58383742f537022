/**
 * install from a signed test image (file and URL sources, xz/gz/zst) onto loop devices
 * (512 and 4Kn), with Ignition, platform, console and karg edits checked in the BLS entry,
 * the rendered GRUB menu and the console block.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import * as openpgp from 'openpgp';
import { run } from '../../../src/exec/run.js';
import { createGpgKey, type GpgKey } from '../../helpers/gpg.js';
import { runCli } from '../../helpers/cli.js';
import { serveDirectory, type StaticServer } from '../../helpers/static-server.js';
import {
  MIB,
  buildTestImage,
  compress,
  debugfsCat,
  debugfsStat,
  readGptOfDevice,
  readGptOfFile,
  sha256,
  type TestImage,
} from './fixture.js';

let dir: string;
let key: GpgKey;
const fingerprintOf = async (k: GpgKey) =>
  (await openpgp.readKey({ armoredKey: k.publicArmored.toString() })).getFingerprint().toUpperCase();
let pub: string;
let img512: TestImage;
let img4k: TestImage;
let server: StaticServer;
let baseUrl: string;
const IGNITION = Buffer.from(
  '{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/hello","contents":{"source":"data:,hi"}}]}}\n',
);

async function sign(file: string): Promise<void> {
  await writeFile(`${file}.sig`, key.signBinary(await readFile(file)));
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inst-it-'));
  key = createGpgKey();
  pub = join(dir, 'key.pub.asc');
  await writeFile(pub, key.publicArmored);
  img512 = await buildTestImage(dir, 512);
  img4k = await buildTestImage(dir, 4096);
  for (const kind of ['xz', 'gz', 'zst'] as const) await sign(await compress(img512.raw, kind));
  await sign(await compress(img4k.raw, 'xz'));
  await writeFile(join(dir, 'config.ign'), IGNITION);
  server = await serveDirectory(dir);
  baseUrl = server.baseUrl;
});

after(async () => {
  server?.close();
  key?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function withLoopTarget<T>(
  sizeMiB: number,
  sectorSize: 512 | 4096,
  fn: (dev: string, file: string) => Promise<T>,
): Promise<T> {
  const file = join(dir, `target-${Math.random().toString(36).slice(2)}.img`);
  await run('truncate', ['-s', `${sizeMiB}M`, file]);
  const dev = (
    await run('losetup', ['--show', '-f', ...(sectorSize === 4096 ? ['--sector-size', '4096'] : []), file])
  ).stdout.trim();
  try {
    return await fn(dev, file);
  } finally {
    await run('losetup', ['-d', dev]).catch(() => undefined);
    await rm(file, { force: true });
  }
}

async function bootOffset(file: string, ss: number): Promise<number> {
  const gpt = await readGptOfFile(file, ss);
  return gpt.entries.find((e) => e.name === 'boot')!.firstLba * ss;
}

async function assertFirstBootEdits(file: string, ss: number): Promise<void> {
  const off = await bootOffset(file, ss);
  const bls = await debugfsCat(file, off, '/loader/entries/ostree-1-nestos.conf');
  const options = /^options (.*)$/m.exec(bls)?.[1] ?? '';
  assert.match(options, /ignition\.platform\.id=qemu/);
  assert.match(options, /console=ttyS0,115200n8/);
  assert.match(options, /(^| )foo=bar( |$)/);
  assert.doesNotMatch(options, /(^| )rw( |$)/, 'deleted karg');
  assert.doesNotMatch(options, /console=tty0/, "metal's console karg deleted");
  assert.match(options, /\$ignition_firstboot/);
  const menu = await debugfsCat(file, off, '/loader/grub.cfg');
  assert.ok(menu.includes(options), `rendered menu carries the new options:\n${menu}`);
  const grub = await debugfsCat(file, off, '/grub/grub.cfg');
  assert.match(
    grub,
    /# CONSOLE-SETTINGS-START\nserial --unit=0 --speed=115200 --word=8 --parity=no\nterminal_input serial\nterminal_output serial\n# CONSOLE-SETTINGS-END/,
  );
  const ign = await debugfsCat(file, off, '/ignition/config.ign');
  assert.equal(ign, IGNITION.toString());
  assert.match(await debugfsStat(file, off, '/ignition/config.ign'), /Mode:\s+0600/);
  assert.match(await debugfsStat(file, off, '/ignition'), /Mode:\s+0700/);
}

/** Everything after the boot partition (root) is byte-identical to the image. */
async function assertRootIdentical(file: string, image: TestImage): Promise<void> {
  const gpt = await readGptOfFile(image.raw, image.sectorSize);
  const root = gpt.entries.find((e) => e.name === 'root')!;
  const start = root.firstLba * image.sectorSize;
  const len = (root.lastLba - root.firstLba + 1) * image.sectorSize;
  const a = (await readFile(image.raw)).subarray(start, start + len);
  const b = (await readFile(file)).subarray(start, start + len);
  assert.equal(sha256(b), sha256(a));
}

const EDIT_ARGS = [
  '--platform',
  'qemu',
  '--console',
  'ttyS0,115200n8',
  '--append-karg',
  'foo=bar',
  '--delete-karg',
  'rw',
];

for (const kind of ['xz', 'gz', 'zst'] as const) {
  test(`file source (${kind}) to a 512-byte loop device with first-boot edits`, async () => {
    await withLoopTarget(64, 512, async (dev, file) => {
      const r = await runCli([
        'install',
        dev,
        '-f',
        `${img512.raw}.${kind}`,
        '--trusted-key',
        pub,
        '-i',
        join(dir, 'config.ign'),
        ...EDIT_ARGS,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Writing Ignition config/);
      assert.match(r.stderr, /Setting platform to qemu/);
      assert.match(r.stderr, /Configuring console settings/);
      assert.match(r.stderr, /Modifying kernel arguments/);
      assert.match(r.stderr, /Install complete\./);
      assert.match(
        r.stderr,
        new RegExp(
          `^Read disk [^\\n]*\\(100%\\)\\nSignature verified with key ${await fingerprintOf(key)} \\(Test <t@example>\\)$`,
          'm',
        ),
      );
      assert.equal(r.stdout.length, 0);
      await assertFirstBootEdits(file, 512);
      await assertRootIdentical(file, img512);
      const gpt = await readGptOfDevice(dev, 512);
      assert.deepEqual(
        gpt?.entries.map((e) => e.name),
        ['BIOS-BOOT', 'EFI-SYSTEM', 'boot', 'root'],
      );
    });
  });
}

test('URL source with Ignition URL + hash, 4Kn loop device', async () => {
  await withLoopTarget(64, 4096, async (dev, file) => {
    const hash = `sha256-${sha256(IGNITION)}`;
    const r = await runCli([
      'install',
      dev,
      '-u',
      `${baseUrl}/${basename(img4k.raw)}.xz`,
      '--trusted-key',
      pub,
      '-I',
      `${baseUrl}/config.ign`,
      '--ignition-hash',
      hash,
      ...EDIT_ARGS,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Downloading image from http:\/\/127\.0\.0\.1/);
    await assertFirstBootEdits(file, 4096);
    await assertRootIdentical(file, img4k);
  });
});

test('Ignition over http without hash is refused before anything is written', async () => {
  await withLoopTarget(64, 512, async (dev, file) => {
    const r = await runCli([
      'install',
      dev,
      '-f',
      `${img512.raw}.xz`,
      '--trusted-key',
      pub,
      '-I',
      `${baseUrl}/config.ign`,
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /refusing to fetch Ignition config over HTTP without --ignition-hash or --insecure-ignition/,
    );
    assert.ok((await readFile(file)).subarray(0, MIB).every((b) => b === 0));
  });
});

test('Ignition hash mismatch is fatal before the image is written', async () => {
  await withLoopTarget(64, 512, async (dev, file) => {
    const r = await runCli([
      'install',
      dev,
      '-f',
      `${img512.raw}.xz`,
      '--trusted-key',
      pub,
      '-i',
      join(dir, 'config.ign'),
      '--ignition-hash',
      `sha256-${'0'.repeat(64)}`,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /hash mismatch, computed '[0-9a-f]{64}' but expected '0{64}'/);
    assert.ok(
      (await readFile(file)).every((b) => b === 0),
      'target untouched',
    );
  });
});

test('source/destination sector size mismatch is refused before writing', async () => {
  await withLoopTarget(64, 4096, async (dev, file) => {
    const r = await runCli(['install', dev, '-f', `${img512.raw}.xz`, '--trusted-key', pub]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /source has sector size 512 but destination has sector size 4096/);
    assert.doesNotMatch(r.stderr, /install failed|Resetting partition table/);
    assert.ok(
      (await readFile(file)).every((b) => b === 0),
      'target untouched',
    );
  });
});

test('--dry-run prints the plan and writes nothing', async () => {
  await withLoopTarget(64, 512, async (dev, file) => {
    const r = await runCli([
      'install',
      dev,
      '-f',
      `${img512.raw}.xz`,
      '--trusted-key',
      pub,
      '-i',
      join(dir, 'config.ign'),
      '--dry-run',
      ...EDIT_ARGS,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.toString();
    assert.match(out, /source: .*test-512\.raw\.xz/);
    assert.match(out, /target: \/dev\/loop\d+ \(block device, 512-byte sectors/);
    assert.match(out, /files to write: ignition\/config\.ign/);
    assert.ok((await readFile(file)).every((b) => b === 0));
  });
});

test('--json emits JSON lines with a final result', async () => {
  await withLoopTarget(64, 512, async (dev) => {
    const r = await runCli(['install', dev, '-f', `${img512.raw}.xz`, '--trusted-key', pub, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const result = lines.find((l) => l.type === 'result');
    assert.equal(result?.device, dev);
    assert.deepEqual(result?.signature, { fingerprint: await fingerprintOf(key), userId: 'Test <t@example>' });
    assert.ok(lines.some((l) => l.type === 'progress'));
  });
});
