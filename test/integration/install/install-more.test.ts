/**
 * Saved partitions on success (byte-identical, renumbered as upstream), config files merged as
 * upstream, stream sources (format picked by sector size), and a regular-file target written
 * by an unprivileged user (debugfs path for the boot edits).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { createGpgKey, type GpgKey } from '../../helpers/gpg.js';
import { runCli } from '../../helpers/cli.js';
import { serveDirectory, type StaticServer } from '../../helpers/static-server.js';
import { MAIN_JS } from '../../helpers/paths.js';
import { MIB, buildTestImage, compress, debugfsCat, debugfsStat, readGptOfFile, sha256, type TestImage } from './fixture.js';

let dir: string;
let key: GpgKey;
let pub: string;
let img512: TestImage;
let img4k: TestImage;
let server: StaticServer;
let baseUrl: string;
const IGNITION = Buffer.from('{"ignition":{"version":"3.3.0"}}\n');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inst-more-'));
  await chmod(dir, 0o755);
  key = createGpgKey();
  pub = join(dir, 'key.pub.asc');
  await writeFile(pub, key.publicArmored);
  img512 = await buildTestImage(dir, 512);
  img4k = await buildTestImage(dir, 4096);
  for (const raw of [img512.raw, img4k.raw]) {
    const xz = await compress(raw, 'xz');
    await writeFile(`${xz}.sig`, key.signBinary(await readFile(xz)));
  }
  await writeFile(join(dir, 'config.ign'), IGNITION);
  server = await serveDirectory(dir, (name, _req, res) => {
    if (name !== 'test.json') return false;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(streamJson()));
    return true;
  });
  baseUrl = server.baseUrl;
});

after(async () => {
  server?.close();
  key?.dispose();
  await rm(dir, { recursive: true, force: true });
});

let streamHashes: Record<string, string> = {};
function streamJson(): unknown {
  const art = (raw: string) => ({ disk: { location: `${baseUrl}/${basename(raw)}.xz`, signature: `${baseUrl}/${basename(raw)}.xz.sig`, sha256: streamHashes[raw] } });
  return {
    stream: 'test',
    architectures: { x86_64: { artifacts: { metal: { release: '1', formats: { 'raw.xz': art(img512.raw), '4k.raw.xz': art(img4k.raw) } } } } },
  };
}

async function withLoop<T>(file: string, ss: 512 | 4096, fn: (dev: string) => Promise<T>): Promise<T> {
  const dev = (await run('losetup', ['--show', '-f', ...(ss === 4096 ? ['--sector-size', '4096'] : []), file])).stdout.trim();
  try {
    return await fn(dev);
  } finally {
    await run('losetup', ['-d', dev]).catch(() => undefined);
  }
}

async function bootOffset(file: string, ss: number): Promise<number> {
  return (await readGptOfFile(file, ss)).entries.find((e) => e.name === 'boot')!.firstLba * ss;
}

for (const ss of [512, 4096] as const) {
  test(`saved partitions survive byte-identical and are renumbered (${ss})`, async () => {
    const file = join(dir, `saved-${ss}.img`);
    await run('truncate', ['-s', '96M', file]);
    const mibLba = MIB / ss;
    const data2 = randomBytes(4 * MIB);
    const data7 = randomBytes(4 * MIB);
    await withLoop(file, ss, async (dev) => {
      await run('sgdisk', [`-n1:0:+4M`, '-c1:old', `-n2:${48 * mibLba}:+4M`, '-c2:data', `-n7:${64 * mibLba}:+4M`, '-c7:keep7', dev]);
    });
    const h = await open(file, 'r+');
    await h.write(data2, 0, data2.length, 48 * MIB);
    await h.write(data7, 0, data7.length, 64 * MIB);
    await h.close();
    await withLoop(file, ss, async (dev) => {
      const r = await runCli(['install', dev, '-f', `${(ss === 512 ? img512 : img4k).raw}.xz`, '--trusted-key', pub, '--save-partlabel', 'data', '--save-partindex', '6-']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Saving partition 2 \("data"\) to new partition 5/);
      assert.match(r.stderr, /Saving partition 7 \("keep7"\) to new partition 7/);
    });
    const bytes = await readFile(file);
    assert.equal(sha256(bytes.subarray(48 * MIB, 52 * MIB)), sha256(data2));
    assert.equal(sha256(bytes.subarray(64 * MIB, 68 * MIB)), sha256(data7));
    const gpt = await readGptOfFile(file, ss);
    assert.deepEqual(gpt.entries.map((e) => [e.index, e.name]), [[1, 'BIOS-BOOT'], [2, 'EFI-SYSTEM'], [3, 'boot'], [4, 'root'], [5, 'data'], [7, 'keep7']]);
    assert.equal(gpt.lastUsableLba, bytes.length / ss - 2 - 16384 / ss, 'table resized to the disk');
    if (ss === 512) assert.match((await run('sgdisk', ['-v', file])).stdout, /No problems found/);
  });
}

test('config files merge as upstream (repeatables accumulate, CLI last)', async () => {
  const c1 = join(dir, 'c1.yaml');
  const c2 = join(dir, 'c2.yaml');
  await writeFile(c1, `image-file: ${img512.raw}.xz\nappend-karg: [c, d]\nplatform: qemu\nconsole: [ttyS0]\ntrusted-key: [${pub}]\n`);
  await writeFile(c2, `append-karg: [e]\nfetch-retries: 2\n`);
  const file = join(dir, 'cfg.img');
  await run('truncate', ['-s', '64M', file]);
  await withLoop(file, 512, async (dev) => {
    const r = await runCli(['install', dev, '-c', c1, '--config-file', c2, '--append-karg', 'a', '-i', join(dir, 'config.ign')]);
    assert.equal(r.code, 0, r.stderr);
    // The effective install once per value, in upstream's order (not each source in turn).
    assert.match(r.stderr, /Running with arguments: --image-file \S+ --ignition-file \S+ --platform qemu --console ttyS0,9600n8 --append-karg c --append-karg d --append-karg e --append-karg a --fetch-retries 2 --trusted-key \S+ \/dev\/loop\d+\n/);
  });
  const off = await bootOffset(file, 512);
  const bls = await debugfsCat(file, off, '/loader/entries/ostree-1-nestos.conf');
  assert.match(bls, /^options .*ignition\.platform\.id=qemu .*console=ttyS0,9600n8 c d e a$/m);
  const menu = await debugfsCat(file, off, '/loader/grub.cfg');
  assert.match(menu, /console=ttyS0,9600n8 c d e a/);
  await rm(file, { force: true });
});

test('config file: unknown key and conflicting sources are rejected', async () => {
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, 'no-such-option: 1\n');
  let r = await runCli(['install', '/dev/null', '-c', bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /parsing config file .*bad\.yaml/);
  const c = join(dir, 'conflict.yaml');
  await writeFile(c, 'stream: stable\n');
  r = await runCli(['install', '/dev/null', '-c', c, '--image-url', 'https://example.invalid/x.raw.xz']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /cannot be used with/);
});

for (const ss of [512, 4096] as const) {
  test(`stream source picks ${ss === 4096 ? '4k.raw.xz' : 'raw.xz'} by the target's sector size`, async () => {
    const img = ss === 512 ? img512 : img4k;
    streamHashes = { [img.raw]: createHash('sha256').update(await readFile(`${img.raw}.xz`)).digest('hex') };
    const file = join(dir, `stream-${ss}.img`);
    await run('truncate', ['-s', '64M', file]);
    await withLoop(file, ss, async (dev) => {
      const r = await runCli(['install', dev, '--stream', 'test', '--stream-base-url', `${baseUrl}/`, '--trusted-key', pub, '--platform', 'qemu']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`Downloading x86_64 metal image \\(${ss === 4096 ? '4k\\.raw\\.xz' : 'raw\\.xz'}\\) and signature referenced from`));
    });
    const bls = await debugfsCat(file, await bootOffset(file, ss), '/loader/entries/ostree-1-nestos.conf');
    assert.match(bls, /ignition\.platform\.id=qemu/);
    await rm(file, { force: true });
  });
}

test('regular-file target without root (user nobody), new file sized by --dest-size', async () => {
  const out = join(dir, 'nobody-out');
  await mkdir(out);
  await run('chown', ['nobody:nogroup', out]);
  const target = join(out, 'vm.img');
  const args = ['install', target, '--dest-size', '64M', '-f', `${img512.raw}.xz`, '--trusted-key', pub,
    '-i', join(dir, 'config.ign'), '--platform', 'qemu', '--console', 'ttyS0,115200n8', '--append-karg', 'nobody=1'];
  const r = await run('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, MAIN_JS, ...args], { okExitCodes: [1, 2] });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /Install complete\./);
  const st = await stat(target);
  assert.equal(st.size, 64 * MIB);
  assert.equal(st.uid, 65534);
  const off = await bootOffset(target, 512);
  const bls = await debugfsCat(target, off, '/loader/entries/ostree-1-nestos.conf');
  assert.match(bls, /ignition\.platform\.id=qemu .*console=ttyS0,115200n8 nobody=1/);
  assert.equal(await debugfsCat(target, off, '/ignition/config.ign'), IGNITION.toString());
  const s = await debugfsStat(target, off, '/ignition/config.ign');
  assert.match(s, /Mode:\s+0600/);
  assert.match(s, /User:\s+0\s+Group:\s+0/);
  assert.match(await debugfsCat(target, off, '/loader/grub.cfg'), /nobody=1/);
  assert.match(await debugfsCat(target, off, '/grub/grub.cfg'), /serial --unit=0 --speed=115200 --word=8 --parity=no/);
  const fsck = await run('e2fsck', ['-fn', `${target}?offset=${off}`], { okExitCodes: [0, 1, 4, 8] });
  assert.equal(fsck.exitCode, 0, fsck.stdout + fsck.stderr);
});

test('a failed install to a new file leaves no file behind', async () => {
  const out = join(dir, 'nofile');
  await mkdir(out);
  const target = join(out, 'vm.img');
  const r = await runCli(['install', target, '-f', join(dir, 'missing.raw.xz'), '--trusted-key', pub, '--insecure']);
  assert.equal(r.code, 1);
  await assert.rejects(stat(target));
});
