/**
 * The one front door of `install`, used by the command line, the ostree mode and the live
 * service alike: the command line's values + the `-c` config files → the effective
 * configuration (files read once, merged once with upstream's rules) → typed options for the
 * image install or the ostree deploy (`ostree-repo` selects the latter).
 */
import { readFile } from 'node:fs/promises';
import { UsageError, UserError } from '../errors.js';
import type { Flavor } from '../flavor.js';
import type { Reporter } from '../report.js';
import { DEFAULT_SIZES, type LayoutSizes } from '../ostree/layout.js';
import { parseSectorSize } from '../disk/sector-size.js';
import { parseSize } from '../formats/size.js';
import { defaultArch } from '../stream/arch.js';
import type { OstreeInstallOptions } from '../ostree/install.js';
import {
  type InstallConfig,
  configArgs,
  configFlag,
  configList,
  configString,
  flagLabel,
  mergeSources,
} from './install-config.js';
import { DEST_DEVICE, FIRSTBOOT_ARGS, installField, parseFetchRetries } from './option-fields.js';
import { type InstallOptions, DEFAULT_NETWORK_DIR } from './options.js';

/** How this run goes, beside what it installs (not part of the configuration). */
export interface RunFlags {
  dryRun: boolean;
  flavor: Flavor;
}

export type InstallRequest =
  | { mode: 'image'; config: InstallConfig; options: InstallOptions }
  | { mode: 'ostree'; config: InstallConfig; options: OstreeInstallOptions };

export interface RequestInput {
  /** The command line's values, as sourceConfig() made them. */
  commandLine: InstallConfig;
  configFiles: readonly string[];
  run: RunFlags;
}

export async function resolveInstallRequest(input: RequestInput, reporter: Reporter): Promise<InstallRequest> {
  const sources: InstallConfig[] = [];
  if (input.configFiles.length > 0) {
    // Loaded only when a config file is given: the YAML parser and the schema library are a
    // large share of the CLI's code, and an install without config files needs neither.
    const { readConfigFile } = await import('./config-file.js');
    for (const file of input.configFiles) sources.push(await readConfigFile(file));
  }
  sources.push(input.commandLine);
  const config = mergeSources(sources);
  // Upstream prints this on stdout; stdout stays data-only here, so it goes to stderr.
  if (input.configFiles.length > 0) reporter.info(`Running with arguments: ${configArgs(config).join(' ')}`);
  if (configString(config, 'ostree-repo') !== undefined)
    return { mode: 'ostree', config, options: await ostreeOptionsFrom(config, input.run) };
  return { mode: 'image', config, options: imageOptionsFrom(config, input.run) };
}

export function imageOptionsFrom(config: InstallConfig, run: RunFlags): InstallOptions {
  for (const name of [
    'ostree-ref',
    'osname',
    'remote-name',
    'ostree-karg',
    'ostree-esp-size',
    'ostree-boot-size',
    'ostree-root-size',
    'ostree-firmware',
  ]) {
    if (config[name] !== undefined)
      throw new UsageError(`the argument '${flagLabel(installField(name))}' requires '--ostree-repo <repo>'`);
  }
  const str = (key: string) => configString(config, key);
  const sector = str('dest-sector-size');
  const destSize = str('dest-size');
  return {
    dest: str(DEST_DEVICE),
    stream: str('stream'),
    imageUrl: str('image-url'),
    imageFile: str('image-file'),
    ignitionFile: str('ignition-file'),
    ignitionUrl: str('ignition-url'),
    ignitionHash: str('ignition-hash'),
    architecture: str('architecture') ?? defaultArch(),
    platform: str('platform'),
    consoles: configList(config, 'console'),
    appendKargs: configList(config, 'append-karg'),
    deleteKargs: configList(config, 'delete-karg'),
    copyNetwork: configFlag(config, 'copy-network'),
    networkDir: str('network-dir') ?? DEFAULT_NETWORK_DIR,
    savePartlabel: configList(config, 'save-partlabel'),
    savePartindex: configList(config, 'save-partindex'),
    offline: configFlag(config, 'offline'),
    insecure: configFlag(config, 'insecure'),
    insecureIgnition: configFlag(config, 'insecure-ignition'),
    streamBaseUrl: str('stream-base-url'),
    preserveOnError: configFlag(config, 'preserve-on-error'),
    fetchRetries: parseFetchRetries(str('fetch-retries')),
    secureIpl: configFlag(config, 'secure-ipl'),
    firstbootArgs: str(FIRSTBOOT_ARGS),
    trustedKeys: configList(config, 'trusted-key'),
    destSize: destSize === undefined ? undefined : parseSize(destSize, 'dest-size <SIZE>'),
    destSectorSize: sector === undefined ? undefined : parseSectorSize(sector),
    noValidate: configFlag(config, 'no-validate'),
    dryRun: run.dryRun,
    flavor: run.flavor,
  };
}

/** Image-install options that have no meaning for an ostree deploy. */
const IMAGE_ONLY = [
  'stream',
  'image-url',
  'image-file',
  'offline',
  'ignition-url',
  'ignition-hash',
  'save-partlabel',
  'save-partindex',
  'secure-ipl',
];

function mib(config: InstallConfig, key: string, fallback: number): number {
  const text = configString(config, key);
  return text === undefined
    ? fallback
    : parseSize(/^\d+$/.test(text) ? `${text}M` : text, `${key} <SIZE>`) / (1024 * 1024);
}

export async function ostreeOptionsFrom(config: InstallConfig, run: RunFlags): Promise<OstreeInstallOptions> {
  const str = (key: string) => configString(config, key);
  for (const name of IMAGE_ONLY) {
    if (config[name] !== undefined)
      throw new UsageError(
        `the argument '${flagLabel(installField(name))}' cannot be used with '--ostree-repo <repo>'`,
      );
  }
  if (run.dryRun) throw new UsageError("the argument '--dry-run' cannot be used with '--ostree-repo <repo>'");
  const repo = str('ostree-repo')!;
  const ref = str('ostree-ref');
  if (!ref) throw new UsageError("the argument '--ostree-repo <repo>' requires '--ostree-ref <ref>'");
  const device = str(DEST_DEVICE);
  if (!device) throw new UserError('destination device must be specified');
  const sizes: LayoutSizes = {
    espMiB: mib(config, 'ostree-esp-size', DEFAULT_SIZES.espMiB),
    bootMiB: mib(config, 'ostree-boot-size', DEFAULT_SIZES.bootMiB),
    rootMiB: mib(config, 'ostree-root-size', DEFAULT_SIZES.rootMiB),
  };
  const firmware = str('ostree-firmware')?.split(',') ?? [];
  const ignitionFile = str('ignition-file');
  const ignition =
    ignitionFile === undefined
      ? undefined
      : await readFile(ignitionFile).catch((err: unknown) => {
          throw new UserError(`reading Ignition config ${ignitionFile}`, { cause: err });
        });
  const destSize = str('dest-size');
  const sector = str('dest-sector-size');
  return {
    device,
    repo,
    ref,
    osname: str('osname') ?? 'nestos',
    remoteName: str('remote-name') ?? 'openEuler',
    insecure: configFlag(config, 'insecure'),
    trustedKeys: configList(config, 'trusted-key'),
    kargs: configList(config, 'ostree-karg'),
    appendKargs: configList(config, 'append-karg'),
    deleteKargs: configList(config, 'delete-karg'),
    platform: str('platform'),
    consoles: configList(config, 'console'),
    ignition,
    noValidate: configFlag(config, 'no-validate'),
    copyNetworkFrom: configFlag(config, 'copy-network') ? (str('network-dir') ?? DEFAULT_NETWORK_DIR) : undefined,
    firstbootArgs: str(FIRSTBOOT_ARGS),
    firstboot: true,
    sizes,
    destSize: destSize === undefined ? undefined : parseSize(destSize, 'dest-size <SIZE>'),
    sectorSize: sector === undefined ? undefined : parseSectorSize(sector),
    bios: firmware.length === 0 ? undefined : firmware.includes('bios'),
    uefi: firmware.length === 0 ? undefined : firmware.includes('uefi'),
    preserveOnError: configFlag(config, 'preserve-on-error'),
    flavor: run.flavor,
  };
}
