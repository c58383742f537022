/**
 * A target cannot be mistaken: a path that does not exist is refused (under /dev always, else
 * without --dest-size); an existing file that is not a disk image (text, ext4, an xz image,
 * unknown bytes) is refused naming what it holds and stays byte-identical; a partition and a
 * read-only disk are refused untouched. Empty, zeroed and GPT files are accepted.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { runCli } from '../../helpers/cli.js';
import { assertUnchanged, snapshotDisk } from '../../helpers/disk-snapshot.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { sha256 } from './fixture.js';
import { type TrustWorld, createTrustWorld, installedDiskFile, withLoop } from './trust-world.js';

let w: TrustWorld;
before(async () => {
  w = await createTrustWorld();
});
after(async () => {
  await w?.dispose();
});

const install = (target: string, ...args: string[]) =>
  runCli(['install', target, '-f', w.files.xz, '--trusted-key', w.pub, ...args], { env: w.env });

for (const destSize of [[], ['--dest-size', '64M']]) {
  test(`a missing device name under /dev is refused, and nothing is created there${destSize.length ? ' (even with --dest-size)' : ''}`, async () => {
    const dev = `/dev/nestos-test-sdz-${randomBytes(3).toString('hex')}`;
    try {
      const r = await install(dev, ...destSize);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`Error: ${dev} does not exist; refusing to create a file under /dev`));
      assert.equal(existsSync(dev), false, `${dev} was created`);
    } finally {
      await rm(dev, { force: true });
    }
  });
}

test('a regular file under /dev (left by a mistyped device name) is refused, untouched', async () => {
  const leftover = `/dev/nestos-test-sdz-${randomBytes(3).toString('hex')}`;
  await copyFile(await installedDiskFile(w, 'leftover-src.img'), leftover);
  try {
    const before = await snapshotDisk(leftover);
    const r = await install(leftover);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`Error: ${leftover} is a regular file under /dev, not a device`));
    await assertUnchanged(leftover, before);
  } finally {
    await rm(leftover, { force: true });
  }
});

test('a path that does not exist is refused without --dest-size', async () => {
  const target = join(w.dir, 'typo.img');
  const r = await install(target);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /typo\.img does not exist; name an existing disk, or pass --dest-size to create a disk image file/,
  );
  assert.equal(existsSync(target), false);
});

test('a dangling symlink is refused, not followed', async () => {
  const link = join(w.dir, 'dangling.img');
  await rm(link, { force: true });
  await symlink('/dev/nestos-test-nowhere', link);
  const r = await install(link, '--dest-size', '64M');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /dangling\.img is a symlink to \/dev\/nestos-test-nowhere, which does not exist/);
  assert.equal(existsSync('/dev/nestos-test-nowhere'), false);
});

const refusals: Array<[string, () => Promise<string>, RegExp]> = [
  [
    'a text file (README.md)',
    async () => {
      const f = join(w.dir, 'README.md');
      await copyFile(join(REPO_ROOT, 'README.md'), f);
      return f;
    },
    /it starts with text/,
  ],
  [
    'a file holding ext4',
    async () => {
      const f = await w.file('fs.img', 100);
      await run('mkfs.ext4', ['-q', '-F', f]);
      return f;
    },
    /it contains an ext4 filesystem/,
  ],
  [
    'the xz image itself (a forgotten -f)',
    async () => {
      const f = join(w.dir, 'copy.raw.xz');
      await copyFile(w.files.xz, f);
      return f;
    },
    /it starts with xz-compressed data \(an image to install\? give it with -f and name the target disk\)/,
  ],
  [
    'a file of random bytes',
    async () => {
      const f = join(w.dir, 'random.bin');
      await writeFile(f, randomBytes(3 * 1024 * 1024));
      return f;
    },
    /it starts with data that is not a disk image \(first bytes: ([0-9a-f]{2} ){7}[0-9a-f]{2}\)/,
  ],
];

for (const [name, make, found] of refusals) {
  test(`${name} is refused as a target, naming what it holds, and stays byte-identical`, async () => {
    const target = await make();
    const before = await snapshotDisk(target);
    const r = await install(target);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Error: refusing to install to \S+: /);
    assert.match(r.stderr, found);
    await assertUnchanged(target, before);
  });
}

for (const [name, make] of [
  ['an empty file', async (f: string) => writeFile(f, '')],
  ['a file of zeros', async (f: string) => void (await run('truncate', ['-s', '64M', f]))],
  ['a file holding a GPT disk', async (f: string) => copyFile(await installedDiskFile(w, 'gpt-src.img'), f)],
] as const) {
  test(`${name} is accepted as a target and receives the image`, async () => {
    const target = join(w.dir, 'accepted.img');
    await rm(target, { force: true });
    await make(target);
    const r = await install(target);
    assert.equal(r.code, 0, r.stderr);
    const image = w.raw;
    const got = await readFile(target);
    assert.equal(sha256(got.subarray(0, image.length)), sha256(image));
  });
}

test('a partition is refused as a target, untouched', async () => {
  const disk = await installedDiskFile(w, 'parts.img');
  const before = await snapshotDisk(disk);
  await withLoop(disk, { partscan: true }, async (dev) => {
    await run('partx', ['-a', dev]).catch(() => undefined);
    const r = await install(`${dev}p4`);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`Error: ${dev}p4 is a partition \\(${dev.slice(5)}p4\\) of ${dev}; install to the whole disk`),
    );
  });
  await assertUnchanged(disk, before);
});

test('a read-only disk is refused before writing, untouched', async () => {
  const disk = await installedDiskFile(w, 'ro.img');
  const before = await snapshotDisk(disk);
  await withLoop(disk, { readOnly: true }, async (dev) => {
    const r = await install(dev);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`Error: ${dev} is read-only; nothing can be installed to it`));
  });
  await assertUnchanged(disk, before);
});
