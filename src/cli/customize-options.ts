/** The options `iso customize` and `pxe customize` share (upstream names). */
import type { Argv } from 'yargs';
import { stringList } from './options.js';
import type { CustomizeOptions } from '../iso/customize.js';

const many = (describe: string) => ({ type: 'string' as const, describe, requiresArg: true });

export function addCustomizeOptions(y: Argv): Argv {
  return y
    .option('dest-ignition', { type: 'string', describe: 'Ignition config for the destination system', requiresArg: true })
    .option('dest-device', { type: 'string', describe: 'Install destination device', requiresArg: true })
    .option('dest-console', many('Kernel and bootloader console for destination'))
    .option('dest-karg-append', many('Destination kernel argument to append'))
    .option('dest-karg-delete', many('Destination kernel argument to delete'))
    .option('network-keyfile', many('NetworkManager keyfile for live & dest'))
    .option('network-nmstate', many('Nmstate config for live & dest'))
    .option('ignition-ca', many('Ignition PEM CA bundle for live & dest'))
    .option('pre-install', many('Script to run before installation'))
    .option('post-install', many('Script to run after installation'))
    .option('installer-config', many('Installer config file'))
    .option('live-ignition', { type: 'string', describe: 'Ignition config for the live environment', requiresArg: true })
    .option('validate', { type: 'boolean', default: true, describe: 'Validate Ignition configs (--no-validate to skip)' });
}

export function customizeOptionsFrom(a: Record<string, unknown>): CustomizeOptions {
  const s = (k: string) => (a[k] === undefined ? undefined : String(a[k]));
  return {
    destDevice: s('dest-device'),
    destIgnition: s('dest-ignition'),
    destConsole: stringList(a['dest-console']),
    destKargAppend: stringList(a['dest-karg-append']),
    destKargDelete: stringList(a['dest-karg-delete']),
    networkKeyfiles: stringList(a['network-keyfile']),
    networkNmstate: stringList(a['network-nmstate']),
    ignitionCa: stringList(a['ignition-ca']),
    preInstall: stringList(a['pre-install']),
    postInstall: stringList(a['post-install']),
    installerConfig: stringList(a['installer-config']),
    liveIgnition: s('live-ignition'),
    noValidate: a['validate'] === false,
  };
}
