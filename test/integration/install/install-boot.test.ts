/**
 * Boot proof: the sample metal image installed from the sample feed (served on 127.0.0.1) with
 * a config file, `--platform qemu`, `--console ttyS0,115200n8`, `--append-karg` and network
 * keyfiles boots in QEMU (BIOS, UEFI, UEFI on a 4Kn disk; plus a regular-file target installed
 * by user nobody) and the first-boot probe reports the config's sha256, platform and kargs.
 * The feed is served from a snapshot of build/images, so a rebuild cannot change it mid-run.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { runCli } from '../../helpers/cli.js';
import { serveDirectory, type StaticServer } from '../../helpers/static-server.js';
import { IMAGES_DIR, MAIN_JS } from '../../helpers/paths.js';
import { bootProbe } from '../../helpers/qemu.js';
import { needImages, snapshotImages } from '../images/need-images.js';

const IGNITION = Buffer.from('{"ignition":{"version":"3.4.0"},"passwd":{"users":[{"name":"core"}]}}\n');
const IGN_SHA = createHash('sha256').update(IGNITION).digest('hex');
const FEED = [
  'sample.json',
  'nestos-sample-metal.x86_64.raw.xz',
  'nestos-sample-metal.x86_64.raw.xz.sig',
  'nestos-sample-metal4k.x86_64.raw.xz',
  'nestos-sample-metal4k.x86_64.raw.xz.sig',
  'sample-signing-key.pub.asc',
];
let dir: string;
let server: StaticServer | undefined;
let baseUrl = '';
/** The feed and its images, snapshotted from build/images (a rebuild cannot change them). */
let feed: { dir: string; paths: string[] } | undefined;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inst-boot-'));
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'config.ign'), IGNITION);
  await mkdir(join(dir, 'net'));
  await writeFile(join(dir, 'net', 'eth0.nmconnection'), '[connection]\nid=eth0\ntype=ethernet\n');
  if (!FEED.every((n) => existsSync(join(IMAGES_DIR, n)))) return; // each test fails (or skips, when allowed)
  feed = snapshotImages(FEED);
  await chmod(feed.dir, 0o755);
  await writeFile(
    join(dir, 'install.yaml'),
    [
      `ignition-file: ${join(dir, 'config.ign')}`,
      'platform: qemu',
      'console:',
      '  - "ttyS0,115200n8"',
      'append-karg: [nestos.test=yes]',
      'copy-network: true',
      `network-dir: ${join(dir, 'net')}`,
      `trusted-key: [${join(feed.dir, 'sample-signing-key.pub.asc')}]`,
      '',
    ].join('\n'),
  );
  server = await serveDirectory(feed.dir);
  baseUrl = `${server.baseUrl}/`;
});

after(async () => {
  server?.close();
  await rm(dir, { recursive: true, force: true });
  if (feed) await rm(feed.dir, { recursive: true, force: true });
});

function need(t: TestContext): boolean {
  return needImages(t, ...FEED) !== undefined;
}

function assertProbe(probe: Awaited<ReturnType<typeof bootProbe>>['probe']): void {
  assert.equal(probe.ignition_sha256, IGN_SHA);
  assert.equal(probe.platform, 'qemu');
  assert.equal(probe.firstboot, true);
  assert.match(probe.cmdline, /(^| )console=ttyS0,115200n8( |$)/);
  assert.match(probe.cmdline, /(^| )nestos\.test=yes( |$)/);
  assert.deepEqual(probe.network_keyfiles, ['eth0.nmconnection']);
}

async function installToLoop(sectorSize: 512 | 4096): Promise<string> {
  const file = join(dir, `disk-${sectorSize}.img`);
  await run('truncate', ['-s', '1200M', file]);
  const dev = (
    await run('losetup', ['--show', '-f', ...(sectorSize === 4096 ? ['--sector-size', '4096'] : []), file])
  ).stdout.trim();
  try {
    const r = await runCli([
      'install',
      dev,
      '-c',
      join(dir, 'install.yaml'),
      '--stream',
      'sample',
      '--stream-base-url',
      baseUrl,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Install complete\./);
  } finally {
    await run('losetup', ['-d', dev]).catch(() => undefined);
  }
  return file;
}

test('BIOS boot of a 512-byte loop-device install from the feed', { timeout: 900_000 }, async (t) => {
  if (!need(t)) return;
  const disk = await installToLoop(512);
  try {
    const { probe } = await bootProbe({ firmware: 'bios', disk, timeoutMs: 600_000 });
    assertProbe(probe);
  } finally {
    await rm(disk, { force: true });
  }
});

test('UEFI boot of a 4Kn loop-device install from the feed (4k.raw.xz)', { timeout: 900_000 }, async (t) => {
  if (!need(t)) return;
  const disk = await installToLoop(4096);
  try {
    const { probe } = await bootProbe({ firmware: 'uefi', disk, sectorSize: 4096, timeoutMs: 600_000 });
    assertProbe(probe);
    assert.deepEqual(probe.disks?.[0]?.lbs, 4096);
  } finally {
    await rm(disk, { force: true });
  }
});

test('UEFI boot of a regular-file target installed by user nobody', { timeout: 900_000 }, async (t) => {
  if (!need(t)) return;
  const out = join(dir, 'nobody');
  await mkdir(out);
  await run('chown', ['nobody:nogroup', out]);
  const disk = join(out, 'vm.img');
  try {
    const r = await run(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        process.execPath,
        MAIN_JS,
        'install',
        disk,
        '--dest-size',
        '1200M',
        '-c',
        join(dir, 'install.yaml'),
        '--stream',
        'sample',
        '--stream-base-url',
        baseUrl,
      ],
      { okExitCodes: [1, 2] },
    );
    assert.equal(r.exitCode, 0, r.stderr);
    const { probe } = await bootProbe({ firmware: 'uefi', disk, timeoutMs: 600_000 });
    assertProbe(probe);
  } finally {
    await rm(disk, { force: true });
  }
});

test(
  'install without edits writes exactly the decompressed image (new file target)',
  { timeout: 600_000 },
  async (t) => {
    const p = needImages(
      t,
      'nestos-sample-metal.x86_64.raw.xz',
      'nestos-sample-metal.x86_64.raw.xz.sig',
      'sample-signing-key.pub.asc',
    );
    if (!p) return;
    const [xz, , key] = p as [string, string, string];
    const size = (await run('sh', ['-c', `xz -dc '${xz}' | wc -c`])).stdout.trim();
    const target = join(dir, 'plain.img');
    const r = await runCli(['install', target, '--dest-size', size, '-f', xz, '--trusted-key', key]);
    assert.equal(r.code, 0, r.stderr);
    const want = (await run('sh', ['-c', `xz -dc '${xz}' | sha256sum`])).stdout.split(' ')[0];
    const got = createHash('sha256')
      .update(await readFile(target))
      .digest('hex');
    assert.equal(got, want, 'no edits requested: byte-identical to the decompressed image');
    await rm(target, { force: true });
  },
);
