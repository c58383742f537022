/**
 * UEFI GRUB without mounting vfat (this kernel has none; fusefat cannot overwrite files): we
 * make the FAT filesystem with mkfs.vfat, put a grub-mkimage x86_64-efi image with an embedded
 * config at the removable-media path EFI/BOOT/BOOTX64.EFI with mtools, and copy the x86_64-efi
 * modules into the boot fs so `insmod` of anything not embedded still works. The embedded config
 * finds the boot fs by label, so it works on 512 and 4096-byte sector disks alike.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../exec/run.js';

export const EFI_EMBEDDED_CONFIG = [
  'search --no-floppy --label boot --set=root',
  'set prefix=($root)/grub',
  'configfile ($root)/grub/grub.cfg',
  '',
].join('\n');

export const EFI_MODULES = [
  'part_gpt',
  'part_msdos',
  'fat',
  'ext2',
  'normal',
  'linux',
  'serial',
  'terminal',
  'echo',
  'search',
  'search_label',
  'search_fs_uuid',
  'configfile',
  'test',
  'gzio',
  'efi_gop',
  'all_video',
  'loadenv',
  'sleep',
  'reboot',
  'halt',
  'ls',
  'cat',
];

const GRUB_EFI_LIB = '/usr/lib/grub/x86_64-efi';

/** Builds BOOTX64.EFI into a temp file; the caller removes the returned dir. */
export async function buildEfiImage(): Promise<{ dir: string; image: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'nestos-efi-'));
  const cfg = join(dir, 'embed.cfg');
  const image = join(dir, 'BOOTX64.EFI');
  await writeFile(cfg, EFI_EMBEDDED_CONFIG);
  await run('grub-mkimage', ['-O', 'x86_64-efi', '-o', image, '-p', '/grub', '-c', cfg, ...EFI_MODULES]);
  return { dir, image };
}

/** mkfs.vfat on the ESP partition node; the sector size follows the device. */
export async function makeEsp(partition: string, sectorSize: 512 | 4096): Promise<void> {
  await run('mkfs.vfat', ['-n', 'EFI-SYSTEM', '-S', String(sectorSize), partition]);
}

/** Writes EFI/BOOT/BOOTX64.EFI into the (unmounted) FAT filesystem with mtools. */
export async function installUefiGrub(espPartition: string, bootDir: string): Promise<void> {
  const { dir, image } = await buildEfiImage();
  try {
    const env = { MTOOLS_SKIP_CHECK: '1' };
    await run('mmd', ['-D', 's', '-i', espPartition, '::/EFI', '::/EFI/BOOT'], { env, okExitCodes: [1] });
    await run('mcopy', ['-o', '-i', espPartition, image, '::/EFI/BOOT/BOOTX64.EFI'], { env });
    await run('mdir', ['-i', espPartition, '::/EFI/BOOT/BOOTX64.EFI'], { env });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await cp(GRUB_EFI_LIB, join(bootDir, 'grub', 'x86_64-efi'), {
    recursive: true,
    filter: (src) => !/\.(efi|img)$/.test(src) || src.endsWith('x86_64-efi'),
  });
}
