/** The options `iso customize` and `pxe customize` share (upstream names). */
import type { Argv } from 'yargs';
import { consoleSpec, parseConsole } from '../install/console.js';
import type { CustomizeOptions } from '../iso/customize.js';
import { flagValue, repeatable, singleValue, stringList } from './options.js';

type Args = Record<string, unknown>;

export function addCustomizeOptions(y: Argv): Argv {
  return y
    .option('dest-ignition', repeatable('Ignition config fragment for the destination system (repeatable)'))
    .option('dest-device', { type: 'string', describe: 'Install destination device', requiresArg: true })
    .option('dest-console', repeatable('Kernel and bootloader console for destination'))
    .option('dest-karg-append', repeatable('Destination kernel argument to append'))
    .option('dest-karg-delete', repeatable('Destination kernel argument to delete'))
    .option('network-keyfile', repeatable('NetworkManager keyfile for live & dest'))
    .option('network-nmstate', repeatable('Nmstate config (YAML or JSON) for live & dest'))
    .option('ignition-ca', repeatable('Ignition PEM CA bundle for live & dest'))
    .option('pre-install', repeatable('Script to run before installation'))
    .option('post-install', repeatable('Script to run after installation'))
    .option('installer-config', repeatable('Installer config file'))
    .option('live-ignition', repeatable('Ignition config fragment for the live environment (repeatable)'))
    .option('validate', {
      type: 'boolean',
      default: true,
      describe: 'Validate Ignition configs (--no-validate to skip)',
    });
}

/** A bad `--dest-console` is a usage error here, not a failed install on the target later. */
function destConsoles(a: Args): string[] {
  return stringList(a['dest-console']).map((spec) => consoleSpec(parseConsole(spec)));
}

export function customizeOptionsFrom(a: Args): CustomizeOptions {
  return {
    destDevice: singleValue(a, 'dest-device'),
    destIgnition: stringList(a['dest-ignition']),
    destConsole: destConsoles(a),
    destKargAppend: stringList(a['dest-karg-append']),
    destKargDelete: stringList(a['dest-karg-delete']),
    networkKeyfiles: stringList(a['network-keyfile']),
    networkNmstate: stringList(a['network-nmstate']),
    ignitionCa: stringList(a['ignition-ca']),
    preInstall: stringList(a['pre-install']),
    postInstall: stringList(a['post-install']),
    installerConfig: stringList(a['installer-config']),
    liveIgnition: stringList(a['live-ignition']),
    noValidate: !flagValue(a['validate']),
  };
}
