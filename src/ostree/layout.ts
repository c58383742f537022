/**
 * The disk layout of an ostree install, as FCOS/NestOS images have it (create_disk.sh):
 * 1 BIOS-BOOT (1 MiB), 2 EFI-SYSTEM (127 MiB, FAT), 3 boot (384 MiB, ext4, label boot),
 * 4 root (rest, ext4 here, label root). Pure: computes sgdisk arguments and node names.
 */
import { UsageError } from '../errors.js';

export const GPT_TYPE = {
  biosBoot: '21686148-6449-6E6F-744E-656564454649',
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  linux: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
  root: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709',
} as const;

const MIB = 1024 * 1024;

export interface LayoutSizes {
  /** Sizes in MiB. Root takes the rest when rootMiB is 0. */
  espMiB: number;
  bootMiB: number;
  rootMiB: number;
}

export const DEFAULT_SIZES: LayoutSizes = { espMiB: 127, bootMiB: 384, rootMiB: 0 };

export interface PartitionSpec {
  number: number;
  name: string;
  type: string;
  /** Size in MiB, 0 = rest of the disk. */
  sizeMiB: number;
}

export function partitionSpecs(sizes: LayoutSizes): PartitionSpec[] {
  return [
    { number: 1, name: 'BIOS-BOOT', type: GPT_TYPE.biosBoot, sizeMiB: 1 },
    { number: 2, name: 'EFI-SYSTEM', type: GPT_TYPE.esp, sizeMiB: sizes.espMiB },
    { number: 3, name: 'boot', type: GPT_TYPE.linux, sizeMiB: sizes.bootMiB },
    { number: 4, name: 'root', type: GPT_TYPE.root, sizeMiB: sizes.rootMiB },
  ];
}

/** Smallest disk that fits the layout: 1 MiB lead-in, partitions, root minimum, backup GPT. */
export function minimumDiskBytes(sizes: LayoutSizes): number {
  const rootMin = sizes.rootMiB > 0 ? sizes.rootMiB : 256;
  return (1 + 1 + sizes.espMiB + sizes.bootMiB + rootMin + 1) * MIB;
}

export function checkSizes(sizes: LayoutSizes): void {
  for (const [name, v, min] of [
    ['ESP', sizes.espMiB, 32],
    ['boot', sizes.bootMiB, 64],
  ] as const) {
    if (!Number.isInteger(v) || v < min) {
      throw new UsageError(`${name} partition size ${v} MiB is too small; use at least ${min} MiB`);
    }
  }
  if (!Number.isInteger(sizes.rootMiB) || sizes.rootMiB < 0) {
    throw new UsageError(`invalid root partition size ${sizes.rootMiB} MiB`);
  }
}

/** sgdisk arguments creating the layout on a zapped disk (alignment: sgdisk's 1 MiB default). */
export function sgdiskArgs(sizes: LayoutSizes, device: string): string[] {
  const args = ['--zap-all', '--clear'];
  for (const p of partitionSpecs(sizes)) {
    const end = p.sizeMiB === 0 ? '0' : `+${p.sizeMiB}M`;
    args.push(`--new=${p.number}:0:${end}`, `--typecode=${p.number}:${p.type}`, `--change-name=${p.number}:${p.name}`);
  }
  args.push(device);
  return args;
}
