/**
 * BIOS GRUB: `grub-install --target=i386-pc` into the mounted boot filesystem. It embeds core.img
 * in the BIOS-BOOT partition and writes boot.img to the MBR. GRUB 2.06 asks `udevadm` for the
 * partition start of loop devices, so udev must be installed (udevd need not run).
 */
import { run } from '../exec/run.js';

export async function installBiosGrub(device: string, bootDir: string): Promise<void> {
  await run('grub-install', [
    '--target=i386-pc',
    `--boot-directory=${bootDir}`,
    '--modules=part_gpt ext2 search search_label serial terminal test configfile normal linux gzio echo',
    '--no-floppy',
    device,
  ]);
}
