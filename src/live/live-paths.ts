/**
 * Where the live installer looks when install-service is given no paths: the kernel command
 * line, the flavour's installer config directory, and the image the live media may carry.
 */
import { FLAVORS, type Flavor } from '../flavor.js';

export const KERNEL_CMDLINE = '/proc/cmdline';

/** Beyond upstream: live media without osmet files may carry the image itself here. */
export const LIVE_IMAGE_DIR = '/usr/share/nestos-installer/image';

export function liveConfigDirs(flavor: Flavor): string[] {
  return [FLAVORS[flavor].installerConfigDir];
}
