/**
 * An error knowable before writing is found before the target is opened for writing, and the
 * target stays byte-identical (whole disk, first 64 MiB and saved partitions compared by
 * sha256): no --trusted-key (the sample signer is not a shipped key), an untrusted signer, a
 * missing image file, a 404 image URL, a 4Kn image for a 512-byte disk, an image larger than
 * the disk (local xz via its index, local raw, raw over HTTP via Content-Length, xz over HTTP via
 * its index read with Range requests), a collision with a saved partition, an image under 1 MiB,
 * an undecodable image, and a local .xz that is truncated or has data after it (its index is
 * read while planning). Once writing began (a gzip image whose size is only known at the
 * end), the table is reset as before.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { runCli } from '../../helpers/cli.js';
import { type Region, assertUnchanged, snapshotDisk } from '../../helpers/disk-snapshot.js';
import { readGptOfFile } from './fixture.js';
import { type TrustWorld, createTrustWorld, installedDiskFile, withLoop } from './trust-world.js';

let w: TrustWorld;
before(async () => {
  w = await createTrustWorld();
});
after(async () => {
  await w?.dispose();
});

/** The four partitions of a finished install, as regions to compare. */
async function partitionsOf(file: string): Promise<Region[]> {
  return (await readGptOfFile(file, 512)).entries.map((e) => ({
    name: e.name,
    offset: e.firstLba * 512,
    length: (e.lastLba - e.firstLba + 1) * 512,
  }));
}

/** Runs install onto a loop device over `file`; asserts exit 1, `cause`, and that nothing changed. */
async function refusedUnchanged(
  file: string,
  args: string[],
  cause: RegExp,
  opts: { sectorSize?: number; env?: Record<string, string> } = {},
): Promise<string> {
  const regions = await partitionsOf(file).catch(() => []);
  const before = await snapshotDisk(file, regions);
  const stderr = await withLoop(file, { sectorSize: opts.sectorSize }, async (dev) => {
    const r = await runCli(['install', dev, ...args], { env: { ...w.env, ...opts.env } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, cause);
    assert.doesNotMatch(
      r.stderr,
      /Resetting partition table|install failed/,
      'refused before writing: nothing to roll back',
    );
    return r.stderr;
  });
  await assertUnchanged(file, before, regions);
  return stderr;
}

test('no --trusted-key (only the shipped upstream keys): refused before writing, a finished install keeps all four partitions', async () => {
  const disk = await installedDiskFile(w, 'nokeys.img');
  assert.equal((await partitionsOf(disk)).length, 4);
  await refusedUnchanged(
    disk,
    ['-f', w.files.xz],
    /GPG verification failure: signed by key [0-9A-F]{16}, which is not among the trusted keys \(add it with --trusted-key\)/,
  );
});

test('a signature by a key that is not trusted: refused before writing', async () => {
  const disk = await installedDiskFile(w, 'untrusted.img');
  await refusedUnchanged(
    disk,
    ['-f', w.files.untrusted, '--trusted-key', w.pub],
    /GPG verification failure: signed by key [0-9A-F]{16}, which is not among the trusted keys/,
  );
});

test('a missing image file is named as a missing image, not a missing signature', async () => {
  const disk = await installedDiskFile(w, 'nofile.img');
  const stderr = await refusedUnchanged(
    disk,
    ['-f', `${w.dir}/nope.raw.xz`, '--trusted-key', w.pub],
    /Error: image file \S+\/nope\.raw\.xz does not exist/,
  );
  assert.doesNotMatch(stderr, /--insecure|signature not found/);
});

test('a 404 image URL is named as a missing image, not a missing signature', async () => {
  const disk = await installedDiskFile(w, 'no404.img');
  const url = `${w.server.url}img/missing.raw.xz`;
  const stderr = await refusedUnchanged(disk, ['-u', url, '--trusted-key', w.pub], /Error: image fetch failed: 404\n/);
  assert.doesNotMatch(stderr, /--insecure|signature not found/);
});

test('a 4Kn image for a 512-byte disk: refused before writing', async () => {
  const disk = await installedDiskFile(w, '4kn.img');
  await refusedUnchanged(
    disk,
    ['-f', w.files.xz4k, '--trusted-key', w.pub],
    /source has sector size 4096 but destination has sector size 512/,
  );
});

test('a 512-byte image for a 4Kn disk: refused before writing', async () => {
  const disk = await w.file('on4k.img', 64);
  await refusedUnchanged(
    disk,
    ['-f', w.files.xz, '--trusted-key', w.pub],
    /source has sector size 512 but destination has sector size 4096/,
    { sectorSize: 4096 },
  );
});

for (const [name, source] of [
  ['local xz (size from the xz index)', () => ['-f', w.files.xz]],
  ['local raw (file size)', () => ['-f', w.files.raw]],
  ['raw over HTTP (Content-Length)', () => ['-u', `${w.server.url}img/good.raw`]],
  ['xz over HTTP (its index read with Range requests)', () => ['-u', `${w.server.url}img/good.raw.xz`]],
] as const) {
  test(`image larger than a disk holding ext4, ${name}: refused before writing, the filesystem intact`, async () => {
    const disk = await w.file(`ext4-${name.replace(/\W+/g, '-')}.img`, 20);
    await run('mkfs.ext4', ['-q', '-F', disk]);
    await refusedUnchanged(
      disk,
      [...source(), '--trusted-key', w.pub],
      /image is larger than the destination \/dev\/loop\d+ \(20971520 bytes\): the image is 33554432 bytes/,
    );
    await run('e2fsck', ['-fn', disk]);
  });
}

test('an image that would reach a saved partition: refused before writing', async () => {
  const disk = await w.file('collide.img', 64);
  await run('sgdisk', ['-n1:0:+4M', '-c1:old', `-n2:${16 * 2048}:+4M`, '-c2:data', disk]);
  await run('dd', ['if=/dev/urandom', `of=${disk}`, 'bs=1M', 'seek=16', 'count=4', 'conv=notrunc', 'status=none']);
  await refusedUnchanged(
    disk,
    ['-f', w.files.xz, '--trusted-key', w.pub, '--save-partlabel', 'data'],
    /collision with partition 2 \("data"\) at offset 16777216/,
  );
});

test('an image smaller than 1 MiB: refused before writing', async () => {
  const disk = await installedDiskFile(w, 'tiny.img');
  await refusedUnchanged(
    disk,
    ['-f', w.files.tiny, '--trusted-key', w.pub],
    /decoding first MiB of image\n\nCaused by:\n\s+0: image is only 524288 bytes; expected at least 1 MiB/,
  );
});

test('an image whose start does not decode: refused before writing', async () => {
  const disk = await installedDiskFile(w, 'garbage.img');
  await refusedUnchanged(
    disk,
    ['-f', w.files.garbage, '--trusted-key', w.pub],
    /Error: decoding first MiB of image\n\nCaused by:\n\s+0: xz data error: the compressed stream is corrupt/,
  );
});

for (const [name, bytes] of [
  ['truncated', () => w.xz.subarray(0, Math.floor(w.xz.length * 0.8))],
  ['followed by other data', () => Buffer.concat([w.xz, Buffer.from('garbage')])],
] as const) {
  test(`a local .xz image ${name} (its index is read while planning): refused before writing`, async () => {
    const image = await w.signedFile(`xz-${name.replace(/\W+/g, '-')}.raw.xz`, bytes());
    const disk = await installedDiskFile(w, `xz-${name.replace(/\W+/g, '-')}.img`);
    await refusedUnchanged(
      disk,
      ['-f', image, '--trusted-key', w.pub],
      /Error: reading image file \S+\.raw\.xz\n\nCaused by:\n\s+0: reading xz index: no xz stream footer at the end of the file \(truncated, or other data after the xz stream\)/,
    );
  });
}

test('once writing began (gzip: size unknown until the end), a too-large image still resets the table', async () => {
  const disk = await w.file('gz-small.img', 20);
  await run('sgdisk', ['-n1:0:+4M', '-c1:old', disk]);
  await withLoop(disk, {}, async (dev) => {
    const r = await runCli(['install', dev, '-f', w.files.gz, '--trusted-key', w.pub], { env: w.env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /image is larger than the destination \/dev\/loop\d+ \(20971520 bytes\)\n/);
    assert.match(r.stderr, /Resetting partition table\n/);
    assert.match(r.stderr, /Error: install failed\n$/);
  });
  const gpt = await readGptOfFile(disk, 512);
  assert.deepEqual(gpt.entries, [], 'the table holds no partition: a half-written image never boots');
});
