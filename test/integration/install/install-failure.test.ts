/**
 * Failure paths: bad signature, truncated image, trailing garbage, busy partition, SIGTERM
 * mid-write. Each exits 1 with a clear message, leaves no bootable half-image (the table holds
 * only the saved partitions) and keeps saved partitions byte-identical; --preserve-on-error
 * stashes them. An image larger than the target or reaching a saved partition is known before
 * writing: the disk stays byte-identical.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { createGpgKey, type GpgKey } from '../../helpers/gpg.js';
import { runCli } from '../../helpers/cli.js';
import { assertUnchanged, snapshotDisk } from '../../helpers/disk-snapshot.js';
import { MIB, buildTestImage, compress, readGptOfFile, sha256, type TestImage } from './fixture.js';
import { type SavedPartitionDisk, withSavedPartitionDisk } from '../../helpers/saved-partition-disk.js';

let dir: string;
let key: GpgKey;
let pub: string;
let img: TestImage;
let server: Server;
let baseUrl: string;
let onHalfSent: (() => void) | undefined;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inst-fail-'));
  key = createGpgKey();
  pub = join(dir, 'key.pub.asc');
  await writeFile(pub, key.publicArmored);
  img = await buildTestImage(dir, 512);
  const xz = await readFile(await compress(img.raw, 'xz'));
  // gzip has no index: its end is only known by decoding, after writing began.
  const gz = await readFile(await compress(img.raw, 'gz'));
  const good = async (name: string, bytes: Buffer) => {
    await writeFile(join(dir, name), bytes);
    await writeFile(join(dir, `${name}.sig`), key.signBinary(bytes));
  };
  await good('good.raw.xz', xz);
  await good('truncated.raw.gz', gz.subarray(0, Math.floor(gz.length * 0.8)));
  await good('trailing.raw.gz', Buffer.concat([gz, Buffer.from('garbage')]));
  await writeFile(join(dir, 'badsig.raw.xz'), xz);
  await writeFile(join(dir, 'badsig.raw.xz.sig'), key.signBinary(Buffer.from('something else')));
  // A slow server: sends half the image, then stalls (for SIGTERM mid-write).
  server = createServer((req, res) => {
    if (req.url?.endsWith('.sig')) return void res.end(key.signBinary(xz));
    // Range requests (the xz index read while planning) are refused: only the image's GET stalls.
    if (req.headers.range) return void res.writeHead(416).end();
    res.writeHead(200, { 'content-length': xz.length });
    res.write(xz.subarray(0, Math.floor(xz.length / 2)), () => onHalfSent?.());
    req.on('close', () => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  baseUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});

after(async () => {
  server?.closeAllConnections();
  server?.close();
  key?.dispose();
  await rm(dir, { recursive: true, force: true });
});

type Disk = SavedPartitionDisk;

/** A loop disk whose GPT has partition 1 "old" and partition 2 "data" (random bytes) at dataMiB. */
function withDisk<T>(sizeMiB: number, dataMiB: number, fn: (d: Disk) => Promise<T>): Promise<T> {
  return withSavedPartitionDisk(dir, { sizeMiB, dataMiB }, fn);
}

async function assertOnlySaved(d: Disk, dataMiB: number): Promise<void> {
  const bytes = await readFile(d.file);
  assert.equal(
    sha256(bytes.subarray(dataMiB * MIB, (dataMiB + 4) * MIB)),
    d.dataHash,
    'saved partition byte-identical',
  );
  const gpt = await readGptOfFile(d.file, 512);
  assert.deepEqual(
    gpt.entries.map((e) => [e.index, e.name, e.firstLba]),
    [[2, 'data', dataMiB * 2048]],
  );
  // No image boot code / partitions: everything between the table and 1 MiB is zero.
  assert.ok(bytes.subarray(34 * 512, MIB).every((b) => b === 0));
  assert.ok(bytes.subarray(0, 446).every((b) => b === 0));
}

const cases: Array<[string, string, RegExp]> = [
  ['bad signature', 'badsig.raw.xz', /GPG verification failure: /],
  ['truncated image', 'truncated.raw.gz', /unexpected end of compressed stream/],
  ['trailing garbage', 'trailing.raw.gz', /found trailing data after compressed stream/],
];

for (const [name, file, message] of cases) {
  test(`${name}: exit 1, table reset to saved partitions`, async () => {
    await withDisk(64, 48, async (d) => {
      const r = await runCli([
        'install',
        d.dev,
        '-f',
        join(dir, file),
        '--trusted-key',
        pub,
        '--save-partlabel',
        'data',
      ]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Resetting partition table/);
      assert.match(r.stderr, /Error: install failed\n$/);
      await assertOnlySaved(d, 48);
    });
  });
}

test('bad signature with --preserve-on-error keeps the (placeholder) table and stashes the saved partitions', async () => {
  const tmp = await mkdtemp(join(dir, 'stash-'));
  await withDisk(64, 48, async (d) => {
    const r = await runCli(
      [
        'install',
        d.dev,
        '-f',
        join(dir, 'badsig.raw.xz'),
        '--trusted-key',
        pub,
        '--save-partlabel',
        'data',
        '--preserve-on-error',
      ],
      { env: { TMPDIR: tmp } },
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Preserving partition table as requested/);
    // The real first MiB was never written: only the saved-partitions placeholder is there.
    await assertOnlySaved(d, 48);
    // Upstream's stash: a disk-sized sparse file holding a GPT with only the saved partitions.
    const stash = new RegExp(
      `Storing saved partition entries to (${tmp}/nestos-installer-partitions\\.[A-Za-z0-9]{6})\n`,
    ).exec(r.stderr)?.[1];
    assert.ok(stash, r.stderr);
    const st = await stat(stash);
    assert.equal(st.size, 64 * MIB);
    assert.equal(st.mode & 0o777, 0o600);
    const gpt = await readGptOfFile(stash, 512);
    assert.deepEqual(
      gpt.entries.map((e) => [e.index, e.name, e.firstLba]),
      [[2, 'data', 48 * 2048]],
    );
  });
});

test('image colliding with a saved partition is refused before writing: the disk is unchanged', async () => {
  await withDisk(64, 16, async (d) => {
    const before = await snapshotDisk(d.file);
    const r = await runCli([
      'install',
      d.dev,
      '-f',
      join(dir, 'good.raw.xz'),
      '--trusted-key',
      pub,
      '--save-partindex',
      '2',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /collision with partition 2 \("data"\) at offset 16777216/);
    assert.doesNotMatch(r.stderr, /Resetting partition table/);
    await assertUnchanged(d.file, before);
  });
});

test('image larger than the target is refused before writing: the disk is unchanged', async () => {
  const file = join(dir, 'small.img');
  await run('truncate', ['-s', '20M', file]);
  await run('sgdisk', ['-n1:0:+4M', '-c1:old', file]);
  const before = await snapshotDisk(file);
  const dev = (await run('losetup', ['--show', '-f', file])).stdout.trim();
  try {
    const r = await runCli(['install', dev, '-f', join(dir, 'good.raw.xz'), '--trusted-key', pub]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /image is larger than the destination/);
    assert.doesNotMatch(r.stderr, /Resetting partition table/);
  } finally {
    await run('losetup', ['-d', dev]).catch(() => undefined);
  }
  await assertUnchanged(file, before);
});

test('busy partition is refused with the list of holders', async () => {
  await withDisk(64, 48, async (d) => {
    await run('partx', ['-a', d.dev]).catch(() => undefined);
    const part = `${d.dev}p1`;
    await run('mkfs.ext4', ['-q', '-F', part]);
    const mnt = join(dir, 'mnt');
    await mkdir(mnt, { recursive: true });
    await run('mount', [part, mnt]);
    const before = await readFile(d.file);
    try {
      const r = await runCli(['install', d.dev, '-f', join(dir, 'good.raw.xz'), '--trusted-key', pub]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`Partitions in use on ${d.dev}:\\n\\s+${part} mounted on ${mnt}`));
      assert.match(r.stderr, /found busy partitions/);
    } finally {
      await run('umount', [mnt]);
      await run('partx', ['-d', d.dev]).catch(() => undefined);
    }
    // (the mounted ext4 itself changes on umount; the table and the rest must not)
    const after = await readFile(d.file);
    assert.equal(sha256(after.subarray(0, MIB)), sha256(before.subarray(0, MIB)), 'table untouched');
    assert.equal(sha256(after.subarray(48 * MIB)), sha256(before.subarray(48 * MIB)), 'data untouched');
  });
});

test('SIGTERM mid-write resets the table and keeps saved partitions', async () => {
  await withDisk(64, 48, async (d) => {
    let child: import('node:child_process').ChildProcess | undefined;
    onHalfSent = () => setTimeout(() => child?.kill('SIGTERM'), 1500);
    try {
      const r = await runCli(
        ['install', d.dev, '-u', `${baseUrl}/slow.raw.xz`, '--trusted-key', pub, '--save-partlabel', 'data'],
        {
          onSpawn: (c) => (child = c),
          timeoutMs: 120_000,
        },
      );
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /interrupted by SIGTERM/);
      assert.match(r.stderr, /Resetting partition table/);
      assert.match(r.stderr, /install failed/);
      await assertOnlySaved(d, 48);
    } finally {
      onHalfSent = undefined;
    }
  });
});

test('a regular-file target attached to a loop device is busy', async () => {
  const file = join(dir, 'attached.img');
  await run('truncate', ['-s', '64M', file]);
  const dev = (await run('losetup', ['--show', '-f', file])).stdout.trim();
  try {
    const r = await runCli(['install', file, '-f', join(dir, 'good.raw.xz'), '--trusted-key', pub]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`Partitions in use on ${file}:\\n\\s+${file} in use by ${dev}`));
    assert.match(r.stderr, /found busy partitions/);
  } finally {
    await run('losetup', ['-d', dev]).catch(() => undefined);
  }
});
