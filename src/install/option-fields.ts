/**
 * The options of `install`, in upstream's order: the one table that the flag specs, the
 * config-file keys, the merge and the canonical argument list are all made from. A field's
 * name is both its long flag and its config-file key. Values are kept as canonical text
 * (consoles normalised, sizes checked); a value equal to the field's default counts as not
 * given: upstream's merge drops such values, so they cannot override a config file's value.
 */
import { UsageError } from '../errors.js';
import { parseSectorSize } from '../disk/sector-size.js';
import { parseSize } from '../formats/size.js';
import { defaultArch } from '../stream/arch.js';
import { consoleSpec, parseConsole } from './console.js';
import { parseIgnitionHash } from './ignition.js';
import { DEFAULT_NETWORK_DIR } from './options.js';

export type FieldKind = 'string' | 'list' | 'flag';
export type FieldOrigin = 'upstream' | 'extension' | 'ostree';

export interface InstallField {
  /** Long flag (without `--`) and config-file key. */
  name: string;
  short?: string;
  kind: FieldKind;
  origin: FieldOrigin;
  describe: string;
  /** Placeholder shown in messages: `--stream <name>`. */
  valueName?: string;
  hidden?: boolean;
  /** The default as canonical text; an equal value is dropped like an absent one. */
  defaultValue?: () => string;
  /** Canonical text of one value; throws UsageError when it is invalid. */
  normalize?: (value: string) => string;
  /**
   * The yargs option this flag negates (`--no-validate` arrives as `validate: false`); describe
   * is the positive one's.
   */
  negates?: string;
}

/** `--fetch-retries N|infinite` → attempts beyond the first (Infinity for infinite). */
export function parseFetchRetries(text: string | undefined): number {
  if (text === undefined) return 0;
  if (text === 'infinite') return Number.POSITIVE_INFINITY;
  if (!/^\d+$/.test(text))
    throw new UsageError(`invalid value '${text}' for '--fetch-retries <N>': expected a number or 'infinite'`);
  return Number(text);
}

const invalid = (flag: string, value: string, why: string) =>
  new UsageError(`invalid value '${value}' for '--${flag}': ${why}`);

function mibSize(flag: string) {
  return (text: string): string => {
    const bytes = parseSize(/^\d+$/.test(text) ? `${text}M` : text, flag);
    if (bytes % (1024 * 1024) !== 0) throw invalid(flag, text, 'must be a whole number of MiB');
    return text;
  };
}

export const FIRMWARES = ['bios', 'uefi'] as const;

const s = (name: string, describe: string, extra: Partial<InstallField> = {}): InstallField => ({
  name,
  kind: 'string',
  origin: 'upstream',
  describe,
  ...extra,
});
const l = (name: string, describe: string, extra: Partial<InstallField> = {}): InstallField => ({
  name,
  kind: 'list',
  origin: 'upstream',
  describe,
  ...extra,
});
const f = (name: string, describe: string, extra: Partial<InstallField> = {}): InstallField => ({
  name,
  kind: 'flag',
  origin: 'upstream',
  describe,
  ...extra,
});
const ext = { origin: 'extension' } as const;
const ostree = { origin: 'ostree' } as const;

/** Descriptions of the flags install shares with download: one wording in every command's help. */
export const SHARED_FLAG_TEXT = {
  architecture: 'Target CPU architecture [default: uname -m]',
  insecure: 'Allow an unsigned image (a bad signature is still fatal)',
  streamBaseUrl: 'Base URL for stream metadata (http://, https:// or file://)',
  fetchRetries: 'Fetch retries, or "infinite" [default: 0]',
  trustedKey: 'Also trust this OpenPGP public key file (armored or binary; repeatable)',
} as const;

export const INSTALL_FIELDS: readonly InstallField[] = [
  s('stream', 'Fedora CoreOS / NestOS stream', { short: 's', valueName: 'name' }),
  s('image-url', 'Manually specify the image URL', { short: 'u', valueName: 'URL' }),
  s('image-file', 'Manually specify a local image file', { short: 'f', valueName: 'path' }),
  s('ignition-file', 'Embed an Ignition config from a file', { short: 'i', valueName: 'path' }),
  s('ignition-url', 'Embed an Ignition config from a URL', { short: 'I', valueName: 'URL' }),
  s('ignition-hash', 'Digest (type-value) of the Ignition config', {
    valueName: 'digest',
    normalize: (v) => (parseIgnitionHash(v), v),
  }),
  s('architecture', SHARED_FLAG_TEXT.architecture, { short: 'a', valueName: 'name', defaultValue: defaultArch }),
  s('platform', 'Override the Ignition platform ID', { short: 'p', valueName: 'name' }),
  l('console', 'Kernel and bootloader console (repeatable)', {
    valueName: 'spec',
    normalize: (v) => consoleSpec(parseConsole(v)),
  }),
  l('append-karg', 'Append default kernel arg (repeatable)', { valueName: 'arg' }),
  l('delete-karg', 'Delete default kernel arg (repeatable)', { valueName: 'arg' }),
  f('copy-network', 'Copy network config from install environment', { short: 'n' }),
  s('network-dir', 'For use with -n [default: /etc/NetworkManager/system-connections/]', {
    valueName: 'path',
    defaultValue: () => DEFAULT_NETWORK_DIR,
  }),
  l('save-partlabel', 'Save partitions with this label glob (repeatable)', { valueName: 'lx' }),
  l('save-partindex', 'Save partitions with this number or range (repeatable)', { valueName: 'id' }),
  f('offline', 'Force offline installation'),
  f('insecure', SHARED_FLAG_TEXT.insecure),
  f('insecure-ignition', 'Allow Ignition URL without HTTPS or hash'),
  s('stream-base-url', SHARED_FLAG_TEXT.streamBaseUrl, { valueName: 'URL' }),
  f('preserve-on-error', "Don't clear partition table on error"),
  s('fetch-retries', SHARED_FLAG_TEXT.fetchRetries, {
    valueName: 'N',
    defaultValue: () => '0',
    normalize: (v) => (v === 'infinite' ? v : String(parseFetchRetries(v))),
  }),
  f('secure-ipl', 'Enable IBM Secure IPL (s390x only)', { hidden: true }),
  l('trusted-key', SHARED_FLAG_TEXT.trustedKey, { ...ext, valueName: 'path' }),
  s('dest-size', 'Regular-file target: create or extend it to this size (e.g. 8G)', {
    ...ext,
    valueName: 'size',
    normalize: (v) => {
      if (parseSize(v, 'dest-size <SIZE>') === 0) throw invalid('dest-size <SIZE>', v, 'must be more than zero');
      return v;
    },
  }),
  s('dest-sector-size', 'Regular-file target: logical sector size, 512 or 4096 [default: 512]', {
    ...ext,
    valueName: 'N',
    normalize: (v) => {
      return String(parseSectorSize(v));
    },
  }),
  f('no-validate', 'Validate the Ignition config against the spec (--no-validate to skip)', {
    ...ext,
    negates: 'validate',
  }),
  s('ostree-repo', 'Deploy from this ostree repo (local path or http(s):// archive repo) instead of an image', {
    ...ostree,
    valueName: 'repo',
  }),
  s('ostree-ref', 'Ref to deploy, e.g. openEuler/x86_64/nestos/stable', { ...ostree, valueName: 'ref' }),
  s('osname', 'Stateroot name [default: nestos]', { ...ostree, valueName: 'name', defaultValue: () => 'nestos' }),
  s('remote-name', 'Remote name of the origin [default: openEuler]', {
    ...ostree,
    valueName: 'name',
    defaultValue: () => 'openEuler',
  }),
  l('ostree-karg', 'Deploy with these kargs instead of the defaults (repeatable; root=LABEL=root added unless given)', {
    ...ostree,
    valueName: 'arg',
  }),
  s('ostree-esp-size', 'EFI-SYSTEM partition size [default: 127M]', {
    ...ostree,
    valueName: 'size',
    normalize: mibSize('ostree-esp-size'),
  }),
  s('ostree-boot-size', 'boot partition size [default: 384M]', {
    ...ostree,
    valueName: 'size',
    normalize: mibSize('ostree-boot-size'),
  }),
  s('ostree-root-size', 'root partition size [default: rest of disk]', {
    ...ostree,
    valueName: 'size',
    normalize: mibSize('ostree-root-size'),
  }),
  s('ostree-firmware', 'Bootloaders to install: bios, uefi or both (comma-separated) [default: bios,uefi]', {
    ...ostree,
    valueName: 'list',
    normalize: (v) => {
      const list = v.split(',').map((fw) => fw.trim().toLowerCase());
      for (const fw of list) {
        if (!(FIRMWARES as readonly string[]).includes(fw))
          throw invalid('ostree-firmware', v, `unknown firmware '${fw}' (expected bios, uefi or bios,uefi)`);
      }
      return list.join(',');
    },
  }),
];

/** Hidden: first-boot kernel arguments, set by the live service; never in config files. */
export const FIRSTBOOT_ARGS = 'firstboot-args';
/** The positional destination, `dest-device` in config files. */
export const DEST_DEVICE = 'dest-device';

export function installField(name: string): InstallField {
  const field = INSTALL_FIELDS.find((x) => x.name === name);
  if (!field) throw new Error(`no install option named ${name}`);
  return field;
}
