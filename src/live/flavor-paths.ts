/**
 * Where live media put what offline installs and minimal ISOs need, for both flavours (NestOS
 * first, then CoreOS): the osmet directories, the OSTree repo inside the live root filesystem,
 * the miniso.dat paths in a live ISO, and the kernel arguments that name the live ISO's volume
 * or the root filesystem's URL. One table, so all flavour names live in one place.
 * NESTOS_INSTALLER_OSMET_DIR and NESTOS_INSTALLER_OSMET_REPO replace the directory list and the
 * repo path (for tests outside a live system).
 */

export type LiveFlavor = 'nestos' | 'coreos';

export const LIVE_FLAVORS: readonly LiveFlavor[] = ['nestos', 'coreos'];

/** Directories searched for osmet files, in order. */
export function osmetDirs(): string[] {
  const override = process.env.NESTOS_INSTALLER_OSMET_DIR;
  if (override) return [override];
  return LIVE_FLAVORS.map((f) => `/run/${f}-installer/osmet`);
}

/** The live system's OSTree repo (the squashfs is mounted at /sysroot, as upstream expects). */
export function osmetRepo(): string {
  return process.env.NESTOS_INSTALLER_OSMET_REPO || '/sysroot/ostree/repo';
}

/** miniso.dat in a full live ISO, for each flavour. */
export const MINISO_PATHS: Record<LiveFlavor, string> = {
  nestos: 'NESTOS/MINISO.DAT',
  coreos: 'COREOS/MINISO.DAT',
};

/** kargs.json in a live ISO, for each flavour. */
export const KARGS_JSON_PATHS: Record<LiveFlavor, string> = {
  nestos: 'NESTOS/KARGS.JSO',
  coreos: 'COREOS/KARGS.JSO',
};

/** Karg naming the live ISO's volume label: the initramfs finds its root filesystem there. */
export const LIVEISO_KARG: Record<LiveFlavor, string> = {
  nestos: 'nestos.liveiso=',
  coreos: 'coreos.liveiso=',
};

/** Karg giving the root filesystem's URL (PXE and minimal ISOs). */
export const ROOTFS_URL_KARG: Record<LiveFlavor, string> = {
  nestos: 'nestos.live.rootfs_url=',
  coreos: 'coreos.live.rootfs_url=',
};

/** Prefix of the temp file an osmet file is written to before it is renamed into place. */
export const OSMET_TEMP_PREFIX = 'nestos-installer-osmet';
