/**
 * A small disk with the shape `pack osmet` expects, built at test time: GPT with a `boot` and a
 * `root` ext4 filesystem (mkfs.ext4 -d, no mounts). The root holds a bare-repo-like
 * `ostree/repo/objects` tree: a 5000-byte object also copied into /boot (the kernel's role), a
 * 200 KiB object, an empty one, a 10-byte one, a symlink object and a .dirtree (neither mapped).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../../src/exec/run.js';

export const MIB = 1024 * 1024;

export interface OsmetFixture {
  raw: string;
  sha256: string;
  size: number;
  /** The root tree given to mkfs: its ostree/repo is a repo holding every object. */
  repo: string;
  objects: { kernel: string; big: string; empty: string; tiny: string };
}

const objectName = (seed: string) => createHash('sha256').update(seed).digest('hex');

async function addObject(repo: string, hex: string, data: Buffer | string): Promise<void> {
  await mkdir(join(repo, 'objects', hex.slice(0, 2)), { recursive: true });
  await writeFile(join(repo, 'objects', hex.slice(0, 2), `${hex.slice(2)}.file`), data);
}

export async function buildOsmetFixture(dir: string): Promise<OsmetFixture> {
  const kernelBytes = randomBytes(5000);
  const rootTree = join(dir, 'root-tree');
  const bootTree = join(dir, 'boot-tree');
  const repo = join(rootTree, 'ostree/repo');
  const objects = {
    kernel: objectName('kernel'),
    big: objectName('big'),
    empty: objectName('empty'),
    tiny: objectName('tiny'),
  };
  await addObject(repo, objects.kernel, kernelBytes);
  await addObject(repo, objects.big, randomBytes(200 * 1024));
  await addObject(repo, objects.empty, '');
  await addObject(repo, objects.tiny, 'tiny file\n');
  const link = objectName('link');
  await mkdir(join(repo, 'objects', link.slice(0, 2)), { recursive: true });
  await symlink('../../somewhere', join(repo, 'objects', link.slice(0, 2), `${link.slice(2)}.file`));
  await writeFile(
    join(repo, 'objects', objects.big.slice(0, 2), `${objectName('tree').slice(2)}.dirtree`),
    randomBytes(3000),
  );
  await mkdir(join(bootTree, 'ostree/nestos-0'), { recursive: true });
  await writeFile(join(bootTree, 'ostree/nestos-0/vmlinuz'), kernelBytes);
  await writeFile(join(bootTree, 'ostree/nestos-0/other'), randomBytes(7000));
  await writeFile(join(bootTree, 'small'), 'x');

  const raw = join(dir, 'disk.raw');
  const size = 40 * MIB;
  await run('truncate', ['-s', String(size), raw]);
  await run('sgdisk', [
    '-n1:2048:+1M',
    '-t1:EF02',
    '-c1:BIOS-BOOT',
    '-n2:0:+12M',
    '-t2:8300',
    '-c2:boot',
    '-n3:0:+24M',
    '-t3:8300',
    '-c3:root',
    raw,
  ]);
  const bootFs = join(dir, 'boot.ext4');
  const rootFs = join(dir, 'root.ext4');
  await run('mkfs.ext4', ['-q', '-F', '-b', '4096', '-L', 'boot', '-d', bootTree, bootFs, '12M']);
  await run('mkfs.ext4', ['-q', '-F', '-b', '4096', '-L', 'root', '-d', rootTree, rootFs, '24M']);
  const starts = (await run('partx', ['-g', '-o', 'START', raw])).stdout.trim().split('\n').map(Number);
  await run('dd', [
    `if=${bootFs}`,
    `of=${raw}`,
    'bs=1M',
    `seek=${starts[1]! * 512}`,
    'oflag=seek_bytes',
    'conv=notrunc',
    'status=none',
  ]);
  await run('dd', [
    `if=${rootFs}`,
    `of=${raw}`,
    'bs=1M',
    `seek=${starts[2]! * 512}`,
    'oflag=seek_bytes',
    'conv=notrunc',
    'status=none',
  ]);
  const sha256 = (await run('sha256sum', [raw])).stdout.slice(0, 64);
  return { raw, sha256, size, repo, objects };
}
