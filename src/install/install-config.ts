/**
 * The effective install configuration in upstream's config-file form (kebab-case keys, only
 * values that differ from the default), and upstream's merge of config files and the command
 * line: each source is taken in order (config files, then the command line); repeatable
 * options accumulate, a single-valued option keeps its last value, a value equal to the
 * default counts as absent (so it cannot override an earlier source), the destination may be
 * given once, and the image and Ignition sources conflict across sources as on one command line.
 */
import { UsageError } from '../errors.js';
import { DEST_DEVICE, FIRSTBOOT_ARGS, INSTALL_FIELDS, type InstallField } from './option-fields.js';

export type ConfigValue = string | string[] | true;
/** Keys: the field names, plus `dest-device` and `firstboot-args`. */
export type InstallConfig = Record<string, ConfigValue>;

/** One source's raw values by field name: strings, string lists, booleans (numbers from YAML). */
export type RawSource = Record<string, unknown>;

function text(field: InstallField, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new UsageError(`'${field.name}' takes one value`);
}

/** A source's values, normalised, with default-valued and empty ones dropped. */
export function sourceConfig(raw: RawSource): InstallConfig {
  const out: InstallConfig = {};
  for (const field of INSTALL_FIELDS) {
    const value = raw[field.name];
    if (value === undefined || value === null) continue;
    if (field.kind === 'flag') {
      if (typeof value !== 'boolean') throw new UsageError(`'${field.name}' is a flag: true or false`);
      if (value) out[field.name] = true;
    } else if (field.kind === 'list') {
      if (!Array.isArray(value)) throw new UsageError(`'${field.name}' takes a list`);
      const items = value.map((v) => (field.normalize ? field.normalize(text(field, v)) : text(field, v)));
      if (items.length > 0) out[field.name] = items;
    } else {
      const canonical = field.normalize ? field.normalize(text(field, value)) : text(field, value);
      if (canonical !== field.defaultValue?.()) out[field.name] = canonical;
    }
  }
  for (const key of [DEST_DEVICE, FIRSTBOOT_ARGS]) {
    const value = raw[key];
    if (value !== undefined && value !== null) out[key] = text({ name: key } as InstallField, value);
  }
  return out;
}

/** `--image-url <URL>`: a field as clap names it in messages. */
export function flagLabel(field: InstallField): string {
  return field.kind === 'flag' ? `--${field.name}` : `--${field.name} <${field.valueName ?? 'value'}>`;
}

/** Pairs that cannot be used together, as upstream's `conflicts_with` has them. */
const CONFLICTS: ReadonlyArray<readonly [string, string]> = [
  ['stream', 'image-url'],
  ['stream', 'image-file'],
  ['image-url', 'image-file'],
  ['ignition-file', 'ignition-url'],
];

function checkConflicts(config: InstallConfig): void {
  for (const [a, b] of CONFLICTS) {
    if (config[a] !== undefined && config[b] !== undefined) {
      const label = (name: string) => flagLabel(INSTALL_FIELDS.find((x) => x.name === name)!);
      throw new UsageError(`the argument '${label(b)}' cannot be used with '${label(a)}'`);
    }
  }
}

/** Merges sources in order with upstream's rules (see the header). */
export function mergeSources(sources: readonly InstallConfig[]): InstallConfig {
  const merged: InstallConfig = {};
  const devices: string[] = [];
  for (const source of sources) {
    for (const field of INSTALL_FIELDS) {
      const value = source[field.name];
      if (value === undefined) continue;
      if (field.kind === 'list')
        merged[field.name] = [...((merged[field.name] as string[] | undefined) ?? []), ...(value as string[])];
      else merged[field.name] = value;
    }
    const device = source[DEST_DEVICE];
    if (typeof device === 'string') devices.push(device);
    const firstboot = source[FIRSTBOOT_ARGS];
    if (typeof firstboot === 'string') merged[FIRSTBOOT_ARGS] = firstboot;
  }
  if (devices.length > 1)
    throw new UsageError(`the destination device may be given only once (got ${devices.join(', ')})`);
  if (devices[0] !== undefined) merged[DEST_DEVICE] = devices[0];
  checkConflicts(merged);
  return ordered(merged);
}

/** The same configuration with keys in upstream's order (for stable JSON). */
function ordered(config: InstallConfig): InstallConfig {
  const out: InstallConfig = {};
  for (const field of INSTALL_FIELDS) if (config[field.name] !== undefined) out[field.name] = config[field.name]!;
  for (const key of [FIRSTBOOT_ARGS, DEST_DEVICE]) if (config[key] !== undefined) out[key] = config[key]!;
  return out;
}

/** The configuration as one command line in upstream's order: one entry per value, device last. */
export function configArgs(config: InstallConfig): string[] {
  const args: string[] = [];
  for (const field of INSTALL_FIELDS) {
    const value = config[field.name];
    if (value === undefined) continue;
    if (value === true) args.push(`--${field.name}`);
    else for (const v of Array.isArray(value) ? value : [value]) args.push(`--${field.name}`, v);
  }
  const firstboot = config[FIRSTBOOT_ARGS];
  if (typeof firstboot === 'string') args.push(`--${FIRSTBOOT_ARGS}`, firstboot);
  const device = config[DEST_DEVICE];
  if (typeof device === 'string') args.push(device);
  return args;
}

export function configString(config: InstallConfig, key: string): string | undefined {
  const value = config[key];
  return typeof value === 'string' ? value : undefined;
}

export function configList(config: InstallConfig, key: string): string[] {
  const value = config[key];
  return Array.isArray(value) ? value : [];
}

export function configFlag(config: InstallConfig, key: string): boolean {
  return config[key] === true;
}
