/**
 * Where live media put what offline installs and minimal ISOs need, for both flavours (NestOS
 * first, then CoreOS), derived from the flavour table: the osmet directories, the OSTree repo
 * inside the live root filesystem, the flavour directory of a live ISO (miniso.dat, kargs.json),
 * and the kernel arguments that name the live ISO's volume or the root filesystem's URL.
 * NESTOS_INSTALLER_OSMET_DIR and NESTOS_INSTALLER_OSMET_REPO replace the directory list and the
 * repo path (for tests outside a live system).
 */
import { FLAVORS, FLAVOR_NAMES, type Flavor } from '../flavor.js';

export type LiveFlavor = Flavor;

export const LIVE_FLAVORS: readonly LiveFlavor[] = FLAVOR_NAMES;

/** Directories searched for osmet files, in order. */
export function osmetDirs(): string[] {
  const override = process.env.NESTOS_INSTALLER_OSMET_DIR;
  if (override) return [override];
  return LIVE_FLAVORS.map((f) => FLAVORS[f].osmetDir);
}

/** The live system's OSTree repo (the squashfs is mounted at /sysroot, as upstream expects). */
export function osmetRepo(): string {
  return process.env.NESTOS_INSTALLER_OSMET_REPO || '/sysroot/ostree/repo';
}

/** A file in the live ISO's flavour directory: `NESTOS/MINISO.DAT`, `COREOS/KARGS.JSO`, … */
export const flavorIsoPath = (flavor: LiveFlavor, file: string): string => `${FLAVORS[flavor].isoDir}/${file}`;

/** Karg naming the live ISO's volume label: the initramfs finds its root filesystem there. */
export const liveisoKarg = (flavor: LiveFlavor): string => `${FLAVORS[flavor].liveIsoKarg}=`;

/** Karg giving the root filesystem's URL (PXE and minimal ISOs). */
export const rootfsUrlKarg = (flavor: LiveFlavor): string => `${FLAVORS[flavor].liveRootfsUrlKarg}=`;

/** Prefix of the temp file an osmet file is written to before it is renamed into place. */
export const OSMET_TEMP_PREFIX = `${FLAVORS.nestos.tempPrefix}osmet`;
