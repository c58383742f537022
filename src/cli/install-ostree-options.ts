/**
 * The ostree-deploy mode of `install`: flags added to the install command by the install
 * helper's builder, and their conversion to OstreeInstallOptions. The same names work as keys
 * of `-c` config files (OSTREE_CONFIG_KEYS). Shared install flags (--insecure, --trusted-key,
 * --platform, --console, --append-karg, --delete-karg, --ignition-file, --copy-network,
 * --network-dir, --firstboot-args, --preserve-on-error, --dest-size, --dest-sector-size) are read
 * from argv when the install command defines them.
 */
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { DEFAULT_SIZES, type LayoutSizes, parseSize } from '../ostree/layout.js';
import type { OstreeInstallOptions } from '../ostree/install.js';
import { stringList } from './options.js';

/** Config-file keys of the ostree mode and their kind (lists accumulate, scalars: last wins). */
export const OSTREE_CONFIG_FIELDS = {
  'ostree-repo': 'scalar',
  'ostree-ref': 'scalar',
  osname: 'scalar',
  'remote-name': 'scalar',
  'ostree-karg': 'list',
  'ostree-esp-size': 'scalar',
  'ostree-boot-size': 'scalar',
  'ostree-root-size': 'scalar',
  'ostree-firmware': 'scalar',
} as const satisfies Record<string, 'scalar' | 'list'>;

export const OSTREE_CONFIG_KEYS = Object.keys(OSTREE_CONFIG_FIELDS) as Array<keyof typeof OSTREE_CONFIG_FIELDS>;

export function addOstreeInstallOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('ostree-repo', {
      type: 'string', requiresArg: true, group: 'OSTree deploy:',
      describe: 'Deploy from this ostree repo (local path or http(s):// archive repo) instead of an image',
    })
    .option('ostree-ref', { type: 'string', requiresArg: true, group: 'OSTree deploy:', describe: 'Ref to deploy, e.g. openEuler/x86_64/nestos/stable' })
    .option('osname', { type: 'string', requiresArg: true, group: 'OSTree deploy:', describe: 'Stateroot name [default: nestos]' })
    .option('remote-name', { type: 'string', requiresArg: true, group: 'OSTree deploy:', describe: 'Remote name of the origin [default: openEuler]' })
    .option('ostree-karg', {
      type: 'string', requiresArg: true, group: 'OSTree deploy:',
      describe: 'Deploy with these kargs instead of the defaults (repeatable; root=LABEL=root added unless given)',
    })
    .option('ostree-esp-size', { type: 'string', requiresArg: true, group: 'OSTree deploy:', describe: 'EFI-SYSTEM partition size [default: 127M]' })
    .option('ostree-boot-size', { type: 'string', requiresArg: true, group: 'OSTree deploy:', describe: 'boot partition size [default: 384M]' })
    .option('ostree-root-size', { type: 'string', requiresArg: true, group: 'OSTree deploy:', describe: 'root partition size [default: rest of disk]' })
    .option('ostree-firmware', {
      type: 'string', requiresArg: true, group: 'OSTree deploy:',
      describe: 'Bootloaders to install: bios, uefi or both (comma-separated) [default: bios,uefi]',
    }) as Argv<T>;
}

function str(argv: Record<string, unknown>, key: string): string | undefined {
  const v = argv[key];
  if (v === undefined || v === null) return undefined;
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return last === undefined ? undefined : String(last);
}

function mib(argv: Record<string, unknown>, key: string, fallback: number): number {
  const text = str(argv, key);
  if (text === undefined) return fallback;
  const bytes = parseSize(/^\d+$/.test(text) ? `${text}M` : text);
  if (bytes % (1024 * 1024) !== 0) throw new UsageError(`--${key} ${text}: must be a whole number of MiB`);
  return bytes / (1024 * 1024);
}

/** True when argv selects the ostree mode. */
export function isOstreeInstall(argv: Record<string, unknown>): boolean {
  return str(argv, 'ostree-repo') !== undefined;
}

export function ostreeOptionsFrom(argv: Record<string, unknown>): OstreeInstallOptions {
  const repo = str(argv, 'ostree-repo');
  const ref = str(argv, 'ostree-ref');
  if (!repo) throw new UsageError('--ostree-repo is required for an ostree install');
  if (!ref) throw new UsageError('--ostree-ref is required with --ostree-repo');
  const device = str(argv, 'device') ?? str(argv, 'dest-device');
  if (!device) throw new UsageError('the target DEVICE is required');
  for (const flag of ['image-file', 'image-url', 'stream', 'offline', 'ignition-url', 'ignition-hash', 'save-partlabel', 'save-partindex', 'dry-run', 'secure-ipl']) {
    const v = argv[flag];
    if (v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)) {
      throw new UsageError(`--${flag} cannot be used with --ostree-repo`);
    }
  }
  const sizes: LayoutSizes = {
    espMiB: mib(argv, 'ostree-esp-size', DEFAULT_SIZES.espMiB),
    bootMiB: mib(argv, 'ostree-boot-size', DEFAULT_SIZES.bootMiB),
    rootMiB: mib(argv, 'ostree-root-size', DEFAULT_SIZES.rootMiB),
  };
  const firmware = stringList(argv['ostree-firmware'], true).map((f) => f.trim().toLowerCase());
  for (const f of firmware) {
    if (f !== 'bios' && f !== 'uefi') throw new UsageError(`--ostree-firmware: unknown firmware '${f}' (expected bios, uefi)`);
  }
  const destSize = str(argv, 'dest-size');
  const sector = str(argv, 'dest-sector-size');
  if (sector !== undefined && sector !== '512' && sector !== '4096') {
    throw new UsageError(`--dest-sector-size ${sector}: expected 512 or 4096`);
  }
  const ignitionFile = str(argv, 'ignition-file') ?? str(argv, 'ignition');
  let ignition: Buffer | undefined;
  if (ignitionFile) {
    try {
      ignition = readFileSync(ignitionFile);
    } catch (err) {
      throw new UsageError(`reading Ignition config ${ignitionFile}: ${(err as Error).message}`);
    }
  }
  const copyNetwork = argv['copy-network'] === true;
  return {
    device,
    repo,
    ref,
    osname: str(argv, 'osname') ?? 'nestos',
    remoteName: str(argv, 'remote-name') ?? 'openEuler',
    insecure: argv.insecure === true,
    trustedKeys: stringList(argv['trusted-key']),
    kargs: stringList(argv['ostree-karg']),
    appendKargs: stringList(argv['append-karg']),
    deleteKargs: stringList(argv['delete-karg']),
    platform: str(argv, 'platform'),
    consoles: stringList(argv.console),
    ignition,
    copyNetworkFrom: copyNetwork ? (str(argv, 'network-dir') ?? '/etc/NetworkManager/system-connections') : undefined,
    firstbootArgs: str(argv, 'firstboot-args'),
    firstboot: true,
    sizes,
    destSize: destSize === undefined ? undefined : parseSize(destSize),
    sectorSize: sector === '4096' ? 4096 : sector === '512' ? 512 : undefined,
    bios: firmware.length === 0 ? undefined : firmware.includes('bios'),
    uefi: firmware.length === 0 ? undefined : firmware.includes('uefi'),
    preserveOnError: argv['preserve-on-error'] === true,
  };
}
