/**
 * The live initrd that `iso customize` / `pxe customize` generate: `config.ign`
 * (a spec 3.3.0 live Ignition config) plus network keyfiles (given, or converted from nmstate).
 * The live config carries installer configs, dest.ign, pre/post-install scripts + units and CA
 * certificates as gzip data URLs. `--live-ignition` and `--dest-ignition` may be repeated: each
 * fragment is merged (`ignition.config.merge`); a single destination fragment without CAs is
 * written as it is. Paths and unit names follow the media's flavour (`/etc/nestos/installer.d`,
 * `/etc/nestos/dest.ign`, nestos-installer.service on NestOS media, `coreos` ones otherwise).
 */
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import YAML from 'yaml';
import { UserError, withContextSync } from '../errors.js';
import { FLAVORS, type Flavor } from '../flavor.js';
import type { Reporter } from '../report.js';
import type { Features } from './metadata.js';
import { validateIgnitionConfig } from '../formats/ignition/validate.js';
import { readNmstateFile } from '../network/nmstate.js';
import { CONFIG_NAME } from './live-iso.js';

export interface CustomizeOptions {
  destDevice?: string;
  /** Ignition fragments merged into the destination config. */
  destIgnition: string[];
  /** Normalised console specs (the command line validated them). */
  destConsole: string[];
  destKargAppend: string[];
  destKargDelete: string[];
  networkKeyfiles: string[];
  /** nmstate YAML files, converted to keyfiles (src/network/nmstate.ts). */
  networkNmstate: string[];
  ignitionCa: string[];
  preInstall: string[];
  postInstall: string[];
  installerConfig: string[];
  /** Ignition fragments merged into the live config. */
  liveIgnition: string[];
  noValidate: boolean;
}

const read = (p: string) => withContextSync(() => readFileSync(p), `reading ${p}`);

export function dataUrl(data: Buffer): { source: string; compression: string } {
  return { source: `data:;base64,${gzipSync(data, { level: 9 }).toString('base64')}`, compression: 'gzip' };
}

function unsupported(what: string): UserError {
  return new UserError(`This OS image does not support ${what}.`);
}

function scriptUnit(kind: 'pre' | 'post', name: string, flavor: Flavor): string {
  const { installerService: service, installerTarget: target } = FLAVORS[flavor];
  const order = kind === 'pre' ? `Before=${service}` : `After=${service}\nBefore=${target}`;
  const wanted = kind === 'pre' ? `RequiredBy=${service}` : `RequiredBy=${target}`;
  return `[Unit]
Description=Run ${kind}-install script ${name}
Wants=network-online.target
After=network-online.target
${order}
OnFailure=emergency.target
OnFailureJobMode=replace-irreversibly

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/bin/${kind}-install-${name}

[Install]
${wanted}
`;
}

export interface LiveInitrd {
  files: Map<string, Buffer>;
  hasConfig: boolean;
  autoInstallMessage?: string;
}

/** Builds the generated initrd content; every input is read and validated here, before any write. */
export function buildLiveInitrd(
  options: CustomizeOptions,
  features: Features,
  flavor: Flavor,
  reporter: Reporter,
): LiveInitrd {
  const names = FLAVORS[flavor];
  const networkDir = names.initrdNetworkDir;
  const wantsInstaller =
    options.installerConfig.length > 0 ||
    options.destDevice !== undefined ||
    options.destIgnition.length > 0 ||
    options.destConsole.length > 0 ||
    options.destKargAppend.length > 0 ||
    options.destKargDelete.length > 0;
  if (wantsInstaller && !features['installer-config']) throw unsupported('installer configuration');
  if (options.destConsole.length > 0 && !features['installer-config-directives']?.['console'])
    throw unsupported('customizing the destination console');
  const wantsNetwork = options.networkKeyfiles.length > 0 || options.networkNmstate.length > 0;
  if (wantsNetwork && !features['live-initrd-network']) throw unsupported('customizing network settings');

  const validate = (bytes: Buffer, what: string) => {
    if (options.noValidate) return;
    try {
      for (const w of validateIgnitionConfig(bytes).warnings) reporter.warn(`Warning: ${what}: ${w}`);
    } catch (e) {
      throw new UserError(`validating ${what}`, { cause: e });
    }
  };

  const files = new Map<string, Buffer>();
  const seenNames = new Set<string>();
  for (const k of options.networkKeyfiles) {
    const name = basename(k);
    if (seenNames.has(name)) throw new UserError(`multiple input files named '${name}'`);
    seenNames.add(name);
    files.set(networkDir + name, read(k));
  }
  for (const path of options.networkNmstate) {
    for (const k of readNmstateFile(path)) {
      if (seenNames.has(k.name)) throw new UserError(`multiple input files named '${k.name}'`);
      seenNames.add(k.name);
      files.set(networkDir + k.name, k.data);
    }
  }

  const storageFiles: unknown[] = [];
  const units: unknown[] = [];
  const addFile = (path: string, data: Buffer, mode: number) =>
    storageFiles.push({ path, mode, contents: dataUrl(data), overwrite: true });
  const cas = options.ignitionCa.map((p) => dataUrl(read(p)));

  const installer: Record<string, unknown> = {};
  if (options.destDevice !== undefined) installer['dest-device'] = options.destDevice;
  if (options.destConsole.length > 0) installer['console'] = options.destConsole;
  if (options.destKargAppend.length > 0) installer['append-karg'] = options.destKargAppend;
  if (options.destKargDelete.length > 0) installer['delete-karg'] = options.destKargDelete;
  if (wantsNetwork && wantsInstaller) installer['copy-network'] = true;

  let destIgn: Buffer | undefined;
  const destFragments = options.destIgnition.map((p) => {
    const data = read(p);
    validate(data, `destination Ignition config ${p}`);
    return data;
  });
  if (destFragments.length === 1 && cas.length === 0) destIgn = destFragments[0];
  else if (destFragments.length > 0) {
    // The installed system fetches merged resources with the same CAs.
    const security = cas.length > 0 ? { security: { tls: { certificateAuthorities: cas } } } : {};
    destIgn = Buffer.from(
      JSON.stringify({ ignition: { version: '3.3.0', config: { merge: destFragments.map(dataUrl) }, ...security } }),
    );
  }

  const configs = options.installerConfig.map((p) => {
    const data = read(p);
    const parsed = withContextSync(() => YAML.parse(data.toString('utf8')) as unknown, `parsing installer config ${p}`);
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed)))
      throw new UserError(`installer config ${p} is not a YAML mapping`);
    return { name: basename(p), data };
  });

  {
    if (destIgn) addFile(names.destIgnition, destIgn, 0o600);
    let serial = 0;
    const entry = () => String(serial++).padStart(4, '0');
    for (const c of configs) addFile(`${names.installerConfigDir}/${entry()}-${c.name}`, c.data, 0o600);
    if (Object.keys(installer).length > 0 || destIgn) {
      const gen = { ...installer, ...(destIgn ? { 'ignition-file': names.destIgnition } : {}) };
      addFile(`${names.installerConfigDir}/${entry()}-customize.yaml`, Buffer.from(YAML.stringify(gen)), 0o600);
    }
  }
  for (const [kind, list] of [
    ['pre', options.preInstall],
    ['post', options.postInstall],
  ] as const) {
    const names = new Set<string>();
    for (const p of list) {
      const name = basename(p);
      if (names.has(name)) throw new UserError(`multiple ${kind}-install scripts named '${name}'`);
      names.add(name);
      addFile(`/usr/local/bin/${kind}-install-${name}`, read(p), 0o700);
      units.push({ name: `${kind}-install-${name}.service`, enabled: true, contents: scriptUnit(kind, name, flavor) });
    }
  }

  const ignition: Record<string, unknown> = { version: '3.3.0' };
  if (options.liveIgnition.length > 0) {
    const fragments = options.liveIgnition.map((p) => {
      const data = read(p);
      validate(data, `live Ignition config ${p}`);
      return dataUrl(data);
    });
    ignition['config'] = { merge: fragments };
  }
  if (cas.length > 0) ignition['security'] = { tls: { certificateAuthorities: cas } };
  const hasContent = storageFiles.length > 0 || units.length > 0 || options.liveIgnition.length > 0 || cas.length > 0;
  if (hasContent) {
    const config: Record<string, unknown> = { ignition };
    if (storageFiles.length > 0) config['storage'] = { files: storageFiles };
    if (units.length > 0) config['systemd'] = { units };
    const bytes = Buffer.from(JSON.stringify(config));
    validateIgnitionConfig(bytes); // self-check of what we generate
    files.set(CONFIG_NAME, bytes);
  }
  const autoInstallMessage =
    options.destDevice !== undefined
      ? `Boot media will automatically install to ${options.destDevice} without confirmation.`
      : wantsInstaller
        ? 'Boot media will automatically run installer.'
        : undefined;
  return { files, hasConfig: hasContent, autoInstallMessage };
}
