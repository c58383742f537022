/**
 * First-boot files on the boot fs, as an installed FCOS/NestOS disk has them: the
 * `ignition.firstboot` stamp (its presence makes the static grub.cfg add `ignition.firstboot`
 * to the kernel command line) and `<flavor>/platforms.json` (console settings per platform,
 * read by the --platform/--console handling). The Ignition config and karg edits are
 * prepareFirstBoot's, called right after these are in place.
 */
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FLAVORS, type Flavor } from '../flavor.js';

export const PLATFORMS_JSON = {
  metal: {
    kernel_arguments: ['console=tty0', 'console=ttyS0,115200n8'],
    grub_commands: ['serial --speed=115200', 'terminal_input serial console', 'terminal_output serial console'],
  },
  qemu: {
    kernel_arguments: ['console=ttyS0,115200n8'],
    grub_commands: ['serial --speed=115200', 'terminal_input serial console', 'terminal_output serial console'],
  },
};

async function atomicWrite(path: string, data: string | Buffer, mode: number): Promise<void> {
  await writeFile(`${path}.tmp`, data, { mode });
  await chmod(`${path}.tmp`, mode);
  await rename(`${path}.tmp`, path);
}

export interface FirstBootFiles {
  stamp: boolean;
  flavor: Flavor;
}

export async function writeFirstBootFiles(bootDir: string, files: FirstBootFiles): Promise<void> {
  const platformsDir = join(bootDir, FLAVORS[files.flavor].bootPlatformsDir);
  await mkdir(platformsDir, { recursive: true });
  await atomicWrite(join(platformsDir, 'platforms.json'), JSON.stringify(PLATFORMS_JSON, null, 2) + '\n', 0o644);
  if (files.stamp) await atomicWrite(join(bootDir, 'ignition.firstboot'), '', 0o644);
}
