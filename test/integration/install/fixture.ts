/**
 * A small metal-like test image built at test time (no committed binaries): GPT (sgdisk) with
 * BIOS-BOOT, EFI-SYSTEM, `boot` (ext4 via mkfs.ext4 -d: ostree-style loader.1 + loader symlink,
 * a BLS entry with `ignition.platform.id=metal $ignition_firstboot`, the static GRUB config with
 * CONSOLE-SETTINGS markers, nestos/platforms.json) and `root`; 512 or 4096-byte sectors.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../../src/exec/run.js';
import { parseBlsEntry } from '../../../src/boot/bls.js';
import { renderGrubMenu, staticGrubConfig } from '../../../src/boot/grub-menu.js';
import { withLoopDevice } from '../../helpers/loop.js';
import { readDiskGpt } from '../../../src/disk/saved-partitions.js';
import type { Gpt } from '../../../src/disk/gpt.js';

export const MIB = 1024 * 1024;
export const BLS_NAME = 'ostree-1-nestos.conf';
export const BASE_OPTIONS = 'root=LABEL=root rw console=tty0 ignition.platform.id=metal $ignition_firstboot';

export const PLATFORMS = {
  metal: {
    grub_commands: ['serial --speed=115200', 'terminal_input serial console', 'terminal_output serial console'],
    kernel_arguments: ['console=tty0'],
  },
  qemu: {
    grub_commands: ['serial --unit=0 --speed=115200', 'terminal_input serial', 'terminal_output serial'],
    kernel_arguments: ['console=ttyS0,115200n8'],
  },
};

function blsText(): string {
  return [
    'title NestOS test image (ostree:0)',
    'version 1',
    `options ${BASE_OPTIONS}`,
    'linux /ostree/nestos-0/vmlinuz',
    'initrd /ostree/nestos-0/initramfs.img',
    '',
  ].join('\n');
}

async function bootTree(dir: string): Promise<void> {
  await mkdir(join(dir, 'loader.1/entries'), { recursive: true });
  await writeFile(join(dir, 'loader.1/entries', BLS_NAME), blsText());
  await writeFile(join(dir, 'loader.1/grub.cfg'), renderGrubMenu([parseBlsEntry(BLS_NAME, blsText())]));
  await symlink('loader.1', join(dir, 'loader'));
  await mkdir(join(dir, 'grub'), { recursive: true });
  await writeFile(join(dir, 'grub/grub.cfg'), staticGrubConfig());
  await mkdir(join(dir, 'nestos'), { recursive: true });
  await writeFile(join(dir, 'nestos/platforms.json'), JSON.stringify(PLATFORMS, null, 2) + '\n');
  await mkdir(join(dir, 'ostree/nestos-0'), { recursive: true });
  await writeFile(join(dir, 'ostree/nestos-0/vmlinuz'), 'not a kernel\n');
  await writeFile(join(dir, 'ostree/nestos-0/initramfs.img'), 'not an initramfs\n');
}

export interface TestImage {
  raw: string;
  sectorSize: 512 | 4096;
  size: number;
}

/** Builds `<dir>/test-<ss>.raw` (32 MiB). Needs root (loop devices). */
export async function buildTestImage(dir: string, sectorSize: 512 | 4096 = 512): Promise<TestImage> {
  const raw = join(dir, `test-${sectorSize}.raw`);
  const size = 32 * MIB;
  await run('truncate', ['-s', String(size), raw]);
  const tree = join(dir, `boot-tree-${sectorSize}`);
  await bootTree(tree);
  const bootFs = join(dir, `boot-${sectorSize}.ext4`);
  const rootFs = join(dir, `root-${sectorSize}.ext4`);
  await run('mkfs.ext4', ['-q', '-F', '-b', '4096', '-L', 'boot', '-d', tree, bootFs, '16M']);
  await run('mkfs.ext4', ['-q', '-F', '-b', '4096', '-L', 'root', rootFs, '8M']);
  await withLoopDevice(raw, { sectorSize }, async (dev) => {
    await run('sgdisk', [
      '-n1:0:+1M',
      '-t1:EF02',
      '-c1:BIOS-BOOT',
      '-n2:0:+4M',
      '-t2:EF00',
      '-c2:EFI-SYSTEM',
      '-n3:0:+16M',
      '-t3:8300',
      '-c3:boot',
      '-n4:0:+8M',
      '-t4:8300',
      '-c4:root',
      dev,
    ]);
  });
  const gpt = await readGptOfFile(raw, sectorSize);
  const at = (i: number) => gpt.entries.find((e) => e.index === i)!.firstLba * sectorSize;
  await run('dd', [
    `if=${bootFs}`,
    `of=${raw}`,
    'bs=1M',
    `seek=${at(3)}`,
    'oflag=seek_bytes',
    'conv=notrunc',
    'status=none',
  ]);
  await run('dd', [
    `if=${rootFs}`,
    `of=${raw}`,
    'bs=1M',
    `seek=${at(4)}`,
    'oflag=seek_bytes',
    'conv=notrunc',
    'status=none',
  ]);
  return { raw, sectorSize, size };
}

export async function readGptOfFile(path: string, sectorSize: number): Promise<Gpt> {
  const data = await readFile(path);
  const gpt = await readDiskGpt(async (len, pos) => data.subarray(pos, pos + len), sectorSize, data.length);
  if (!gpt) throw new Error(`no GPT in ${path}`);
  return gpt;
}

export async function readGptOfDevice(dev: string, sectorSize: number): Promise<Gpt | undefined> {
  const { open } = await import('node:fs/promises');
  const h = await open(dev, 'r');
  try {
    const size = Number((await run('blockdev', ['--getsize64', dev])).stdout.trim());
    return await readDiskGpt(
      async (len, pos) => {
        const b = Buffer.alloc(len);
        const { bytesRead } = await h.read(b, 0, len, pos);
        return b.subarray(0, bytesRead);
      },
      sectorSize,
      size,
    );
  } finally {
    await h.close();
  }
}

export async function compress(raw: string, kind: 'xz' | 'gz' | 'zst'): Promise<string> {
  const out = `${raw}.${kind}`;
  if (kind === 'xz') await run('sh', ['-c', `xz -T1 -1 -c "${raw}" > "${out}"`]);
  if (kind === 'gz') await run('sh', ['-c', `gzip -1 -c "${raw}" > "${out}"`]);
  if (kind === 'zst') await run('sh', ['-c', `zstd -q -1 -c "${raw}" > "${out}"`]);
  return out;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads a file from an ext4 image region without mounting (debugfs). */
export async function debugfsCat(file: string, offset: number, path: string): Promise<string> {
  const r = await run('debugfs', ['-R', `cat ${path}`, `${file}?offset=${offset}`]);
  return r.stdout;
}

export async function debugfsStat(file: string, offset: number, path: string): Promise<string> {
  const r = await run('debugfs', ['-R', `stat ${path}`, `${file}?offset=${offset}`]);
  return r.stdout;
}
