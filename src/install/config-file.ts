/**
 * `-c/--config-file` YAML (reference §3.9). Keys are the long option names; unknown keys are
 * rejected. Merge as upstream: each config (in order) is turned back into arguments with
 * default-valued fields omitted, then the command line's non-default values follow;
 * repeatables accumulate, single values: last wins; a device in both places is an error.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError, UserError } from '../errors.js';
import { consoleSpec, parseConsole } from './console.js';
import { type InstallOptions, defaultInstallOptions, parseSize } from './options.js';

const scalar = z.union([z.string(), z.number()]).transform((v) => String(v));
const list = z.array(scalar);

export const ConfigFileSchema = z.strictObject({
  'dest-device': scalar.optional(),
  stream: scalar.optional(),
  'image-url': scalar.optional(),
  'image-file': scalar.optional(),
  'ignition-file': scalar.optional(),
  'ignition-url': scalar.optional(),
  'ignition-hash': scalar.optional(),
  architecture: scalar.optional(),
  platform: scalar.optional(),
  console: list.optional(),
  'append-karg': list.optional(),
  'delete-karg': list.optional(),
  'copy-network': z.boolean().optional(),
  'network-dir': scalar.optional(),
  'save-partlabel': list.optional(),
  'save-partindex': list.optional(),
  offline: z.boolean().optional(),
  insecure: z.boolean().optional(),
  'insecure-ignition': z.boolean().optional(),
  'stream-base-url': scalar.optional(),
  'preserve-on-error': z.boolean().optional(),
  'fetch-retries': scalar.optional(),
  'secure-ipl': z.boolean().optional(),
  // Beyond upstream:
  'trusted-key': list.optional(),
  'dest-size': scalar.optional(),
  'dest-sector-size': scalar.optional(),
  // The ostree-deploy mode (src/cli/install-ostree-options.ts); ignored by the image install.
  'ostree-repo': scalar.optional(),
  'ostree-ref': scalar.optional(),
  osname: scalar.optional(),
  'remote-name': scalar.optional(),
  'ostree-karg': list.optional(),
  'ostree-esp-size': scalar.optional(),
  'ostree-boot-size': scalar.optional(),
  'ostree-root-size': scalar.optional(),
  'ostree-firmware': scalar.optional(),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

type Key = Exclude<keyof InstallOptions, 'dryRun'>;
interface FieldSpec { flag: string; key: Key; kind: 'scalar' | 'list' | 'flag' | 'number' | 'size' }

/** Upstream's serialisation order. */
const FIELDS: FieldSpec[] = [
  { flag: 'stream', key: 'stream', kind: 'scalar' },
  { flag: 'image-url', key: 'imageUrl', kind: 'scalar' },
  { flag: 'image-file', key: 'imageFile', kind: 'scalar' },
  { flag: 'ignition-file', key: 'ignitionFile', kind: 'scalar' },
  { flag: 'ignition-url', key: 'ignitionUrl', kind: 'scalar' },
  { flag: 'ignition-hash', key: 'ignitionHash', kind: 'scalar' },
  { flag: 'architecture', key: 'architecture', kind: 'scalar' },
  { flag: 'platform', key: 'platform', kind: 'scalar' },
  { flag: 'console', key: 'consoles', kind: 'list' },
  { flag: 'append-karg', key: 'appendKargs', kind: 'list' },
  { flag: 'delete-karg', key: 'deleteKargs', kind: 'list' },
  { flag: 'copy-network', key: 'copyNetwork', kind: 'flag' },
  { flag: 'network-dir', key: 'networkDir', kind: 'scalar' },
  { flag: 'save-partlabel', key: 'savePartlabel', kind: 'list' },
  { flag: 'save-partindex', key: 'savePartindex', kind: 'list' },
  { flag: 'offline', key: 'offline', kind: 'flag' },
  { flag: 'insecure', key: 'insecure', kind: 'flag' },
  { flag: 'insecure-ignition', key: 'insecureIgnition', kind: 'flag' },
  { flag: 'stream-base-url', key: 'streamBaseUrl', kind: 'scalar' },
  { flag: 'preserve-on-error', key: 'preserveOnError', kind: 'flag' },
  { flag: 'fetch-retries', key: 'fetchRetries', kind: 'number' },
  { flag: 'secure-ipl', key: 'secureIpl', kind: 'flag' },
  { flag: 'trusted-key', key: 'trustedKeys', kind: 'list' },
  { flag: 'dest-size', key: 'destSize', kind: 'size' },
  { flag: 'dest-sector-size', key: 'destSectorSize', kind: 'number' },
];

export async function readConfigFile(path: string): Promise<ConfigFile> {
  try {
    const text = await readFile(path, 'utf8');
    const raw: unknown = parseYaml(text) ?? {};
    const parsed = ConfigFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      throw new UserError(`${where}${issue?.message ?? 'invalid config'}`);
    }
    return parsed.data;
  } catch (err) {
    throw new UserError(`parsing config file ${path}`, { cause: err });
  }
}

/** Converts a config (or partial options) back to options, applying upstream's console normalisation. */
function configToOptions(cfg: ConfigFile): Partial<InstallOptions> {
  const out: Record<string, unknown> = {};
  const rec = cfg as Record<string, unknown>;
  for (const f of FIELDS) {
    const v = rec[f.flag];
    if (v === undefined) continue;
    if (f.kind === 'number') out[f.key] = f.flag === 'fetch-retries' && v === 'infinite' ? Infinity : Number(v);
    else if (f.kind === 'size') out[f.key] = parseSize(String(v));
    else if (f.key === 'consoles') out[f.key] = (v as string[]).map((c) => consoleSpec(parseConsole(c)));
    else out[f.key] = v;
  }
  if (cfg['dest-device'] !== undefined) out.dest = cfg['dest-device'];
  return out as Partial<InstallOptions>;
}

function isDefault(key: Key, value: unknown, defaults: InstallOptions): boolean {
  const d = (defaults as unknown as Record<string, unknown>)[key];
  if (Array.isArray(value)) return value.length === 0;
  return value === undefined || value === d;
}

/** The merged arguments, as upstream would print them (`Running with arguments:`). */
export function serializeArgs(opts: Partial<InstallOptions>, defaults = defaultInstallOptions()): string[] {
  const args: string[] = [];
  const rec = opts as Record<string, unknown>;
  for (const f of FIELDS) {
    const v = rec[f.key];
    if (isDefault(f.key, v, defaults)) continue;
    if (f.kind === 'flag') args.push(`--${f.flag}`);
    else if (f.kind === 'list') for (const item of v as string[]) args.push(`--${f.flag}`, item);
    else args.push(`--${f.flag}`, f.flag === 'fetch-retries' && v === Infinity ? 'infinite' : String(v));
  }
  if (opts.dest !== undefined) args.push(opts.dest);
  return args;
}

/** Merges config files (in order) under the command line's non-default values. */
export function mergeInstallOptions(configs: ConfigFile[], cli: InstallOptions): { options: InstallOptions; args: string[] } {
  const defaults = defaultInstallOptions();
  const merged: InstallOptions = { ...defaults };
  const m = merged as unknown as Record<string, unknown>;
  const args: string[] = [];
  const sources: Array<Partial<InstallOptions>> = [...configs.map(configToOptions), cli];
  const devices: string[] = [];
  sources.forEach((src, i) => {
    const rec = src as Record<string, unknown>;
    const isCli = i === sources.length - 1;
    args.push(...serializeArgs({ ...src, dest: undefined }, defaults));
    for (const f of FIELDS) {
      const v = rec[f.key];
      if (isDefault(f.key, v, defaults)) continue;
      if (f.kind === 'list') m[f.key] = [...(m[f.key] as string[]), ...(v as string[])];
      else m[f.key] = v;
    }
    if (src.dest !== undefined) devices.push(src.dest);
    if (isCli) {
      merged.dryRun = cli.dryRun;
      merged.firstbootArgs = cli.firstbootArgs;
    }
  });
  if (devices.length > 1) throw new UsageError(`the destination device may be given only once (got ${devices.join(', ')})`);
  merged.dest = devices[0];
  if (merged.dest !== undefined) args.push(merged.dest);
  if (merged.firstbootArgs) args.push('--firstboot-args', merged.firstbootArgs);
  const exclusive = (keys: Array<[Key, string]>) => {
    const set = keys.filter(([k]) => m[k] !== undefined);
    if (set.length > 1) throw new UsageError(`the argument '--${set[0]![1]}' cannot be used with '--${set[1]![1]}'`);
  };
  exclusive([['stream', 'stream'], ['imageUrl', 'image-url'], ['imageFile', 'image-file']]);
  exclusive([['ignitionFile', 'ignition-file'], ['ignitionUrl', 'ignition-url']]);
  return { options: merged, args };
}

/**
 * Config files laid under the command line as an argv-shaped record (kebab-case keys), for
 * modes that read argv directly (the ostree deploy): lists accumulate configs then command
 * line; scalars: the command line wins, then the later config; one device at most.
 */
export function overlayConfigsOnArgv(configs: ConfigFile[], argv: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  const devices: string[] = [];
  for (const cfg of configs) {
    for (const [key, value] of Object.entries(cfg)) {
      if (value === undefined) continue;
      if (key === 'dest-device') devices.push(String(value));
      else if (Array.isArray(value)) merged[key] = [...((merged[key] as unknown[] | undefined) ?? []), ...value];
      else merged[key] = value;
    }
  }
  for (const [key, value] of Object.entries(argv)) {
    if (value === undefined || value === false) continue;
    if (key === 'device' && typeof value === 'string') devices.push(value);
    else if (Array.isArray(merged[key])) merged[key] = [...(merged[key] as unknown[]), ...(Array.isArray(value) ? value : [value])];
    else merged[key] = value;
  }
  if (devices.length > 1) throw new UsageError(`the destination device may be given only once (got ${devices.join(', ')})`);
  if (devices[0] !== undefined) merged.device = devices[0];
  return merged;
}
