/**
 * The `install` command line of the live service, built from the kernel command line and the
 * installer config files the way upstream's `coreos-installer-service` script builds it (and
 * nestos-installer's copy, with `nestos.` kargs). Pure. The script's rules, kept as they are:
 *
 * - The command line is split on whitespace only (bash word splitting: quotes stay).
 * - `<prefix>.inst.X` takes the value of its LAST occurrence; a word without `=` is its own
 *   value (so a bare `coreos.inst.insecure` is true); booleans are false only for an empty
 *   value, `0`, `no` or `off`.
 * - Config files come first (`--config-file`, in the order given), then the device (`/dev/`
 *   prefixed, with a warning, when it has no `/`), image URL, platform, saved partitions,
 *   stream, the Ignition URL with `--insecure-ignition` (unless `skip`), `--insecure`.
 * - Network kargs (bare or `=value`) are forwarded to the first boot as
 *   `--firstboot-args "rd.neednet=1 <karg> <karg> "` (with the trailing space the script leaves),
 *   including the persist-IP switches themselves; s390x device kargs become `--append-karg`.
 * - Fetches are retried forever: `--fetch-retries infinite`.
 */
import { FLAVORS, type Flavor } from '../flavor.js';

/** Kernel networking kargs the installed system's first boot needs too. */
const KERNEL_NET_KARGS = ['ipv6.disable', 'net.ifnames', 'net.naming-scheme'];
/** dracut networking kargs, everything but rd.neednet (added in front). */
const DRACUT_NET_KARGS = [
  'ip',
  'ifname',
  'rd.route',
  'bootdev',
  'BOOTIF',
  'rd.bootif',
  'nameserver',
  'rd.peerdns',
  'biosdevname',
  'vlan',
  'bond',
  'team',
  'bridge',
  'rd.net.timeout.carrier',
];
/** IBM s390x device kargs, kept on the installed system. */
const S390X_KARGS = ['rd.dasd', 'rd.zfcp', 'rd.znet', 'zfcp.allow_lun_scan', 'cio_ignore'];

export interface ServiceArgs {
  /** The arguments after `install`. */
  args: string[];
  warnings: string[];
  /** An install was asked for: a destination karg or any config file. */
  requested: boolean;
}

/** The kernel command line as the script's `cmdline=( $(</proc/cmdline) )` sees it. */
export function cmdlineWords(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

/** The script's `karg NAME`: the value of the last word named NAME; '' when absent. */
export function kargValue(words: readonly string[], name: string): string {
  let value = '';
  for (const word of words) {
    const eq = word.indexOf('=');
    if ((eq < 0 ? word : word.slice(0, eq)) === name) value = eq < 0 ? word : word.slice(eq + 1);
  }
  return value;
}

/** The script's `karg_bool NAME`. */
export function kargBool(words: readonly string[], name: string): boolean {
  return !['', '0', 'no', 'off'].includes(kargValue(words, name));
}

/** The script's `[[ $item =~ ^$param(=.*)?$ ]]` (the name is a regex there, dots and all). */
function matchesKarg(word: string, name: string): boolean {
  return new RegExp(`^${name}(=.*)?$`).test(word);
}

export function serviceArgs(cmdline: string, configFiles: readonly string[], flavor: Flavor): ServiceArgs {
  const names = FLAVORS[flavor];
  const inst = (name: string) => `${names.kargPrefix}.inst.${name}`;
  const words = cmdlineWords(cmdline);
  const args: string[] = [];
  const warnings: string[] = [];
  for (const file of configFiles) args.push('--config-file', file);

  let device = kargValue(words, inst('install_dev'));
  if (device !== '') {
    if (!device.includes('/')) {
      warnings.push(
        `Warning: ${inst('install_dev')}=${device} without /dev/ is deprecated; use ${inst('install_dev')}=/dev/${device}`,
      );
      device = `/dev/${device}`;
    }
    args.push(device);
  }
  const copy = (karg: string, flag: string) => {
    const value = kargValue(words, inst(karg));
    if (value !== '') args.push(flag, value);
  };
  copy('image_url', '--image-url');
  copy('platform_id', '--platform');
  copy('save_partlabel', '--save-partlabel');
  copy('save_partindex', '--save-partindex');
  copy('stream', '--stream');
  const ignitionUrl = kargValue(words, inst('ignition_url'));
  // Plain http is allowed: kargs fetched over PXE are no more trustworthy than the config.
  if (ignitionUrl !== '' && ignitionUrl !== 'skip') args.push('--ignition-url', ignitionUrl, '--insecure-ignition');
  if (kargBool(words, inst('insecure'))) args.push('--insecure');

  let firstboot = '';
  for (const word of words) {
    for (const name of [...KERNEL_NET_KARGS, ...DRACUT_NET_KARGS, ...names.persistIpKargs]) {
      if (matchesKarg(word, name)) firstboot += `${word} `;
    }
    for (const name of S390X_KARGS) {
      if (matchesKarg(word, name)) args.push('--append-karg', word);
    }
  }
  if (firstboot !== '') args.push('--firstboot-args', `rd.neednet=1 ${firstboot}`);
  args.push('--fetch-retries', 'infinite');
  return { args, warnings, requested: device !== '' || configFiles.length > 0 };
}
