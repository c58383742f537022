// install --offline from the sample live media's own parts, on the host: the osmet files and the
// OSTree repo come out of nestos-sample-live-rootfs.x86_64.img (cpio → root.squashfs mounted
// read-only), the targets are loop devices with 512- and 4096-byte sectors. The written disks
// must hash to the signed stream's uncompressed sha256 of the matching metal image, and every
// refusal must leave the target as it was (or, for damage found only at the end, without the
// image's partition table).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/exec/run.js';
import { attachLoop, detachLoop, withLoopDevice } from '../../helpers/loop.js';
import { readOsmetFile } from '../../../src/osmet/file.js';
import { objectHex } from '../../../src/osmet/format.js';
import { runCli } from '../../helpers/cli.js';
import { IMAGES_DIR } from '../../helpers/paths.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const ROOTFS = join(IMAGES_DIR, 'nestos-sample-live-rootfs.x86_64.img');
const OSMET_512 = 'nestos-sample-metal.x86_64.osmet';
const OSMET_4K = 'nestos-sample-metal4k.x86_64.osmet';

let work = '';
let squashLoop = '';
let repo = '';
let osmetDir = '';
let missing: string | undefined;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'offline-install-'));
  if (!existsSync(join(IMAGES_DIR, 'sample.json')) || !existsSync(ROOTFS)) {
    missing = 'missing sample live media; run npm run images';
    if (process.env.CI) throw new Error(missing);
    return;
  }
  const media = join(work, 'media');
  mkdirSync(media);
  await run('sh', ['-c', `cd '${media}' && cpio -idm --quiet < '${ROOTFS}'`]);
  osmetDir = join(media, 'run/nestos-installer/osmet');
  squashLoop = await attachLoop(join(media, 'root.squashfs'), { readOnly: true });
  const mnt = join(work, 'sysroot');
  mkdirSync(mnt);
  await run('mount', ['-t', 'squashfs', '-o', 'ro', squashLoop, mnt]);
  repo = join(mnt, 'ostree/repo');
});

after(async () => {
  if (repo) await run('umount', [join(work, 'sysroot')]).catch(() => undefined);
  if (squashLoop) await detachLoop(squashLoop).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

/** The signed stream's uncompressed sha256 of a metal format. */
function streamSha(format: 'raw.xz' | '4k.raw.xz'): string {
  const doc = JSON.parse(readFileSync(join(IMAGES_DIR, 'sample.json'), 'utf8'));
  return doc.architectures.x86_64.artifacts.metal.formats[format].disk['uncompressed-sha256'];
}

function readHead(path: string, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, length, 0);
  } finally {
    closeSync(fd);
  }
  return buf;
}

function sha256Range(path: string, length: number): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4 * MIB);
    for (let pos = 0; pos < length;) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, length - pos), pos);
      if (n === 0) throw new Error(`${path} ended at ${pos}`);
      h.update(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** A disk file with recognisable content everywhere (so any write shows), attached as a loop device. */
function patternedDisk(name: string, size: number): string {
  const path = join(work, name);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  const block = Buffer.alloc(MIB, 0x5a);
  for (let pos = 0; pos < size; pos += 64 * MIB) writeSync(fd, block, 0, block.length, pos);
  writeSync(fd, Buffer.from('previous contents of this disk'), 0, 30, 0);
  closeSync(fd);
  return path;
}

const withLoop = <T>(file: string, sectorSize: number, fn: (dev: string) => Promise<T>): Promise<T> =>
  withLoopDevice(file, { sectorSize }, fn);

const env = (dir = osmetDir, repoDir = repo) => ({
  NESTOS_INSTALLER_OSMET_DIR: dir,
  NESTOS_INSTALLER_OSMET_REPO: repoDir,
});

test('the two osmet files together are smaller than one compressed metal image', (t) => {
  if (missing) return t.skip(missing);
  const osmet = statSync(join(osmetDir, OSMET_512)).size + statSync(join(osmetDir, OSMET_4K)).size;
  const xz = statSync(join(IMAGES_DIR, 'nestos-sample-metal.x86_64.raw.xz')).size;
  assert.ok(osmet < xz, `osmet files ${osmet} bytes, raw.xz ${xz} bytes`);
});

// --offline, and (as upstream) no image source and no --stream at all: both take the osmet path.
for (const [sector, format, name, args] of [
  [512, 'raw.xz', OSMET_512, ['--offline']],
  [4096, '4k.raw.xz', OSMET_4K, []],
] as const) {
  test(
    `install ${args.join(' ') || '(no source)'} onto a ${sector}-byte-sector disk picks ${name} and writes the signed image's bytes`,
    { timeout: 600_000 },
    async (t) => {
      if (missing) return t.skip(missing);
      const disk = patternedDisk(`target-${sector}.img`, 1536 * MIB);
      const r = await withLoop(disk, sector, (dev) => runCli(['install', ...args, dev], { env: env() }));
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`Installing NestOS Sample 24\\.03-LTS\\.1 x86_64 \\(${sector}-byte sectors\\)`),
      );
      assert.match(r.stderr, new RegExp(`Rebuilt image verified: ${GIB} bytes, sha256 ${streamSha(format)}`));
      assert.equal(sha256Range(disk, GIB), streamSha(format));
      rmSync(disk);
    },
  );
}

test('refusals before anything is written leave the disk as it was', { timeout: 600_000 }, async (t) => {
  if (missing) return t.skip(missing);
  const disk = patternedDisk('unchanged.img', 1536 * MIB);
  const before = sha256Range(disk, 1536 * MIB);
  const only512 = join(work, 'only512');
  mkdirSync(only512);
  copyFileSync(join(osmetDir, OSMET_512), join(only512, OSMET_512));
  const stray = join(work, 'stray');
  mkdirSync(stray);
  writeFileSync(join(stray, 'notes.txt'), 'not an osmet file\n');
  const brokenRepo = join(work, 'repo-copy');
  cpSync(repo, brokenRepo, { recursive: true });
  const file = await readOsmetFile(join(osmetDir, OSMET_4K));
  const gone = objectHex(file.body.partitions[1]!.mappings[0]!.object);
  rmSync(join(brokenRepo, 'objects', gone.slice(0, 2), `${gone.slice(2)}.file`));
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['--offline'], env(only512), /Error: cannot perform offline install; metadata missing\n/],
    [['--offline'], env(stray), /Error: reading osmet file .*notes\.txt\n\nCaused by:\n +0: not an OSMET file!/],
    [
      ['--offline'],
      env(osmetDir, brokenRepo),
      new RegExp(`Error: OSTree object ${gone} needed by .*${OSMET_4K} is missing`),
    ],
    [
      ['--offline'],
      env(osmetDir, join(work, 'no-such-repo')),
      /Error: OSTree repo .*no-such-repo not found; offline installs run on a live system/,
    ],
  ];
  await withLoop(disk, 4096, async (dev) => {
    for (const [args, e, why] of cases) {
      const r = await runCli(['install', ...args, dev], { env: e });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, why);
    }
    // with --stream the osmet files are not used: the stream is fetched (here: nothing listens)
    const r = await runCli(['install', '--stream', 'sample', '--stream-base-url', 'http://127.0.0.1:9/', dev], {
      env: env(),
    });
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /Installing NestOS Sample/);
    assert.match(r.stderr, /127\.0\.0\.1:9/);
  });
  // a 512 MiB disk cannot hold the 1 GiB image: refused before writing
  const small = patternedDisk('small.img', 512 * MIB);
  const smallBefore = sha256Range(small, 512 * MIB);
  const r = await withLoop(small, 512, (dev) => runCli(['install', '--offline', dev], { env: env() }));
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(
      `Error: image rebuilt from .*${OSMET_512} \\(${GIB} bytes\\) is larger than /dev/loop\\d+ \\(${512 * MIB} bytes\\)`,
    ),
  );
  assert.equal(sha256Range(small, 512 * MIB), smallBefore);
  assert.equal(sha256Range(disk, 1536 * MIB), before);
});

/** A copy of the 512-byte osmet file with one byte flipped at `offset` (negative: from the end). */
function damagedCopy(dirName: string, offset: number | ((bytes: Buffer) => number)): string {
  const dir = join(work, dirName);
  mkdirSync(dir);
  const bytes = readFileSync(join(osmetDir, OSMET_512));
  const at = typeof offset === 'function' ? offset(bytes) : offset < 0 ? bytes.length + offset : offset;
  bytes[at] = bytes[at]! ^ 0xff;
  writeFileSync(join(dir, OSMET_512), bytes);
  return dir;
}

test(
  'damage found only at the end (packed data, recorded sha256) fails the install without the image table',
  { timeout: 900_000 },
  async (t) => {
    if (missing) return t.skip(missing);
    const parsed = await readOsmetFile(join(osmetDir, OSMET_512));
    const cases: Array<[string, RegExp]> = [
      [
        damagedCopy('bad-xz', -200),
        /Error: while unpacking\n\nCaused by:\n +0: (xz data error|unexpected end of compressed stream|found trailing data)/,
      ],
      [
        damagedCopy('bad-sha', (bytes) => bytes.indexOf(parsed.body.checksum)),
        /Error: while unpacking\n\nCaused by:\n +0: expected final checksum [0-9a-f]{64}, but got [0-9a-f]{64}\n/,
      ],
    ];
    const imageHead = readHead(join(IMAGES_DIR, 'nestos-sample-metal.x86_64.raw'), MIB);
    for (const [dir, why] of cases) {
      const disk = patternedDisk('damaged.img', 1536 * MIB);
      const r = await withLoop(disk, 512, (dev) => runCli(['install', '--offline', dev], { env: env(dir) }));
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, why);
      assert.match(r.stderr, /Resetting partition table[\s\S]*Error: install failed/);
      const head = readHead(disk, MIB);
      assert.ok(
        !head.subarray(512, 1024).equals(imageHead.subarray(512, 1024)),
        'the image GPT header must not be on the disk',
      );
      assert.ok(
        !head.subarray(1024, 1536).equals(imageHead.subarray(1024, 1536)),
        'the image partition entries must not be on the disk',
      );
      rmSync(disk);
    }
  },
);
