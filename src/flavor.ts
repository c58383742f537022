/**
 * NestOS or CoreOS: every name that differs between nestos-installer and coreos-installer, in
 * one table. The flavour follows the program's name (`coreos-installer` is the CoreOS one,
 * anything else NestOS; a wrapper script may name it in NESTOS_INSTALLER_PROGRAM) unless the
 * global `--flavor` flag says otherwise.
 *
 * Media (an ISO, a live initramfs, an installed boot filesystem) are looked up under the
 * selected flavour's names first; one that carries only the other flavour's names is handled
 * as that flavour, since its own initramfs reads only those (see mediaFlavor).
 */
import { basename } from 'node:path';

export const FLAVOR_NAMES = ['nestos', 'coreos'] as const;
export type Flavor = (typeof FLAVOR_NAMES)[number];

export interface FlavorNames {
  program: string;
  /** Product name in messages ("Downloading <product> …"). */
  product: string;
  /** `<prefix>.inst.install_dev`, `<prefix>.liveiso`, … */
  kargPrefix: string;
  /** Network kargs the live service forwards besides the dracut ones (persist-IP switches). */
  persistIpKargs: readonly string[];
  /** ISO 9660 directory (primary-volume name) holding igninfo/kargs/features/miniso. */
  isoDir: string;
  /** ISO 9660 path components that resolve to the first record of their directory. */
  isoFirstRecordNames: readonly string[];
  /** Keyfile directory inside a live initrd (with trailing slash). */
  initrdNetworkDir: string;
  /** Stamp file of a live initramfs. */
  liveInitramfsStamp: string;
  /** features.json inside a live initramfs. */
  initrdFeatures: string;
  /** Installer config directory of the live system. */
  installerConfigDir: string;
  /** Destination Ignition config that `iso customize --dest-ignition` writes into the live system. */
  destIgnition: string;
  /** Directory of the boot filesystem holding platforms.json. */
  bootPlatformsDir: string;
  /** Directory of the boot filesystem that `--copy-network` fills. */
  bootNetworkDir: string;
  /** osmet files on live media. */
  osmetDir: string;
  /** Prefix of temporary files and directories. */
  tempPrefix: string;
  /** Live kernel arguments naming the live ISO and the rootfs URL. */
  liveIsoKarg: string;
  liveRootfsUrlKarg: string;
  /** systemd units of the live installer (pre/post-install scripts order themselves on them). */
  installerService: string;
  installerTarget: string;
}

export const FLAVORS: Record<Flavor, FlavorNames> = {
  nestos: {
    program: 'nestos-installer',
    product: 'NestOS',
    kargPrefix: 'nestos',
    // nestos-installer's own script spells the first one `nrstos.`; the intended name is used.
    persistIpKargs: ['nestos.no_persist_ip', 'nestos.force_persist_ip'],
    isoDir: 'NESTOS',
    isoFirstRecordNames: ['OPENEULER'],
    initrdNetworkDir: 'etc/nestos-firstboot-network/',
    liveInitramfsStamp: 'etc/nestos-live-initramfs',
    initrdFeatures: 'etc/nestos/features.json',
    installerConfigDir: '/etc/nestos/installer.d',
    destIgnition: '/etc/nestos/dest.ign',
    bootPlatformsDir: 'nestos',
    bootNetworkDir: 'nestos-firstboot-network',
    osmetDir: '/run/nestos-installer/osmet',
    tempPrefix: 'nestos-installer-',
    liveIsoKarg: 'nestos.liveiso',
    liveRootfsUrlKarg: 'nestos.live.rootfs_url',
    installerService: 'nestos-installer.service',
    installerTarget: 'nestos-installer.target',
  },
  coreos: {
    program: 'coreos-installer',
    product: 'Fedora CoreOS',
    kargPrefix: 'coreos',
    persistIpKargs: ['coreos.no_persist_ip', 'coreos.force_persist_ip'],
    isoDir: 'COREOS',
    isoFirstRecordNames: [],
    initrdNetworkDir: 'etc/coreos-firstboot-network/',
    liveInitramfsStamp: 'etc/coreos-live-initramfs',
    initrdFeatures: 'etc/coreos/features.json',
    installerConfigDir: '/etc/coreos/installer.d',
    destIgnition: '/etc/coreos/dest.ign',
    bootPlatformsDir: 'coreos',
    bootNetworkDir: 'coreos-firstboot-network',
    osmetDir: '/run/coreos-installer/osmet',
    tempPrefix: 'coreos-installer-',
    liveIsoKarg: 'coreos.liveiso',
    liveRootfsUrlKarg: 'coreos.live.rootfs_url',
    installerService: 'coreos-installer.service',
    installerTarget: 'coreos-installer.target',
  },
};

/** The flavour a program name stands for: `coreos-installer` → coreos, anything else → nestos. */
export function flavorOfProgram(programPath: string | undefined): Flavor {
  return programPath !== undefined && basename(programPath) === FLAVORS.coreos.program ? 'coreos' : 'nestos';
}

export function otherFlavor(flavor: Flavor): Flavor {
  return flavor === 'nestos' ? 'coreos' : 'nestos';
}

/**
 * The flavour of a medium: the selected one, unless the medium carries only the other
 * flavour's names (then its own initramfs reads only those, so they are the ones to write).
 */
export function mediaFlavor(selected: Flavor, carries: (flavor: Flavor) => boolean): Flavor {
  const other = otherFlavor(selected);
  return !carries(selected) && carries(other) ? other : selected;
}

/** Keyfile paths in a live initrd of either flavour (read tolerantly, written per flavour). */
export function isInitrdNetworkPath(path: string): boolean {
  return FLAVOR_NAMES.some((f) => {
    const dir = FLAVORS[f].initrdNetworkDir;
    return path.startsWith(dir) && path.length > dir.length;
  });
}

/** A file in the live ISO's flavour directory: `NESTOS/MINISO.DAT`, `COREOS/KARGS.JSO`, … */
export const flavorIsoPath = (flavor: Flavor, file: string): string => `${FLAVORS[flavor].isoDir}/${file}`;

/** Karg naming the live ISO's volume label: the initramfs finds its root filesystem there. */
export const liveisoKarg = (flavor: Flavor): string => `${FLAVORS[flavor].liveIsoKarg}=`;

/** Karg giving the root filesystem's URL (PXE and minimal ISOs). */
export const rootfsUrlKarg = (flavor: Flavor): string => `${FLAVORS[flavor].liveRootfsUrlKarg}=`;

/**
 * Directories a live system keeps osmet files in, both flavours (NestOS first).
 * NESTOS_INSTALLER_OSMET_DIR replaces the list (for tests outside a live system).
 */
export function osmetDirs(): string[] {
  const override = process.env.NESTOS_INSTALLER_OSMET_DIR;
  if (override) return [override];
  return FLAVOR_NAMES.map((f) => FLAVORS[f].osmetDir);
}

/**
 * The live system's OSTree repo (the squashfs is mounted at /sysroot, as upstream expects).
 * NESTOS_INSTALLER_OSMET_REPO replaces it (for tests outside a live system).
 */
export function osmetRepo(): string {
  return process.env.NESTOS_INSTALLER_OSMET_REPO || '/sysroot/ostree/repo';
}
