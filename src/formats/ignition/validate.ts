/**
 * Early validation of Ignition configs given to `iso ignition embed`, `pxe ignition wrap`,
 * `iso customize --live-ignition/--dest-ignition` and `install -i/-I`. Upstream embeds configs
 * unvalidated; we refuse invalid ones by default (a bad config otherwise only fails at first boot)
 * and name the JSON path of the first error (`--no-validate` skips this). Unknown keys are
 * warnings, as in Ignition; so is a 3.x spec newer than the newest known one.
 */
import path from 'node:path/posix';
import { UserError } from '../../errors.js';
import { IGNITION_SCHEMA, type FieldType } from './schema.js';

const VERSIONS: Record<string, number> = {
  '3.0.0': 0,
  '3.1.0': 1,
  '3.2.0': 2,
  '3.3.0': 3,
  '3.4.0': 4,
  '3.5.0': 5,
  '3.6.0': 6,
};

const NEWEST = '3.6.0';
const NEWEST_MINOR = VERSIONS[NEWEST]!;

/**
 * A 3.x version above the newest known one (`3.7.0`, `3.7.0-experimental`, `3.6.1`): Ignition
 * on the target may accept it, so it is validated as the newest known spec, with a warning.
 */
function newerThanKnown(version: string): boolean {
  const m = /^3\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$/.exec(version);
  if (!m) return false;
  const minor = Number(m[1]);
  return minor > NEWEST_MINOR || (minor === NEWEST_MINOR && Number(m[2]) > 0);
}

export interface ValidationResult {
  config: unknown;
  warnings: string[];
}

interface Issue {
  path: string;
  message: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class Walker {
  errors: Issue[] = [];
  warnings: Issue[] = [];
  constructor(readonly minor: number) {}
  err(p: string, message: string) {
    this.errors.push({ path: p, message });
  }
  warn(p: string, message: string) {
    this.warnings.push({ path: p, message });
  }

  /** Structural pass: types, required fields, unknown keys (warnings), fields newer than the spec. */
  walk(value: unknown, type: FieldType, p: string): void {
    if (value === null) return; // null means "unset" in Ignition
    switch (type.kind) {
      case 'string':
        if (typeof value !== 'string') this.err(p, `expected a string, found ${describe(value)}`);
        return;
      case 'int':
        if (typeof value !== 'number' || !Number.isInteger(value))
          this.err(p, `expected an integer, found ${describe(value)}`);
        return;
      case 'bool':
        if (typeof value !== 'boolean') this.err(p, `expected a boolean, found ${describe(value)}`);
        return;
      case 'array':
        if (!Array.isArray(value)) return this.err(p, `expected an array, found ${describe(value)}`);
        value.forEach((item, i) => this.walk(item, type.item, `${p}[${i}]`));
        return;
      case 'object': {
        if (!isObject(value)) return this.err(p, `expected an object, found ${describe(value)}`);
        for (const [key, v] of Object.entries(value)) {
          const field = type.fields[key];
          if (!field) {
            this.warn(`${p}.${key}`, `unused key ${key}`);
            continue;
          }
          if ((field.since ?? 0) > this.minor && v !== null) {
            this.warn(`${p}.${key}`, `unused key ${key} (not supported before spec 3.${field.since}.0)`);
            continue;
          }
          this.walk(v, field.type, `${p}.${key}`);
        }
        for (const [key, field] of Object.entries(type.fields)) {
          if (field.required && (value[key] === undefined || value[key] === null))
            this.err(`${p}.${key}`, `${key} is required`);
        }
      }
    }
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw new UserError('invalid Ignition config: not a config (empty)');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError('invalid Ignition config: not valid JSON', { cause: e });
  }
}

/** Validates an Ignition config; throws UserError naming the JSON path of the first error. */
export function validateIgnitionConfig(bytes: Buffer | string, opts: { maxSpec?: string } = {}): ValidationResult {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  const config = parseJson(text);
  if (!isObject(config)) throw new UserError('invalid Ignition config: $: expected a JSON object');
  const ign = config['ignition'];
  const version = isObject(ign) ? ign['version'] : undefined;
  if ('ignitionVersion' in config || (isObject(ign) && typeof version === 'string' && /^2\./.test(version))) {
    throw new UserError(
      'invalid Ignition config: $.ignition.version: unsupported config version (spec 2.x config; convert to 3.x)',
    );
  }
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw new UserError("invalid Ignition config: $.ignition.version: invalid config version (couldn't parse)");
  }
  const newer = newerThanKnown(version);
  const minor = VERSIONS[version] ?? (newer ? NEWEST_MINOR : undefined);
  if (minor === undefined)
    throw new UserError(`invalid Ignition config: $.ignition.version: unsupported config version ${version}`);
  if (opts.maxSpec !== undefined) {
    const max = VERSIONS[opts.maxSpec];
    if (max !== undefined && minor > max) {
      throw new UserError(
        `invalid Ignition config: $.ignition.version: spec ${version} is newer than ${opts.maxSpec} supported by the target`,
      );
    }
  }
  const w = new Walker(minor);
  if (newer)
    w.warn(
      '$.ignition.version',
      `spec ${version} is newer than ${NEWEST}, the newest known here; validated as ${NEWEST}`,
    );
  w.walk(config, IGNITION_SCHEMA, '$');
  if (w.errors.length === 0) semanticChecks(config, w);
  const first = w.errors[0];
  if (first) {
    const more = w.errors.length > 1 ? ` (and ${w.errors.length - 1} more error${w.errors.length > 2 ? 's' : ''})` : '';
    throw new UserError(`invalid Ignition config: ${first.path}: ${first.message}${more}`);
  }
  return { config, warnings: w.warnings.map((i) => `${i.path}: ${i.message}`) };
}

const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const obj = (v: unknown): Json => (isObject(v) ? v : {});

function checkPath(w: Walker, value: unknown, p: string): void {
  if (typeof value !== 'string' || value === '') return w.err(p, 'path not specified');
  if (!value.startsWith('/')) return w.err(p, 'path not absolute');
  if (path.normalize(value) !== value || (value.length > 1 && value.endsWith('/')))
    w.err(p, 'path is not fully simplified');
}

const SCHEMES = (minor: number) => [
  'http',
  'https',
  'tftp',
  's3',
  'data',
  ...(minor >= 2 ? ['gs'] : []),
  ...(minor >= 4 ? ['arn'] : []),
];

function checkResource(w: Walker, r: unknown, p: string, sourceRequired: boolean): void {
  if (!isObject(r)) return;
  const source = r['source'];
  const hasSource = typeof source === 'string' && source !== '';
  if (hasSource) {
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(source);
    if (!m || !SCHEMES(w.minor).includes(m[1]!.toLowerCase())) w.err(`${p}.source`, 'invalid url scheme');
    else if (m[1]!.toLowerCase() === 'data' && !/^data:[^,]*,/.test(source)) w.err(`${p}.source`, 'invalid data url');
  } else if (sourceRequired && w.minor >= 1) {
    w.err(p, 'source is required');
  }
  const comp = r['compression'];
  if (comp !== undefined && comp !== null && comp !== '' && comp !== 'gzip')
    w.err(`${p}.compression`, 'invalid compression method');
  const hash = obj(r['verification'])['hash'];
  if (typeof hash === 'string' && hash !== '') {
    const [fn, sum] = hash.split('-', 2);
    if (sum === undefined) w.err(`${p}.verification.hash`, 'malformed hash specifier');
    else if (fn !== 'sha512' && !(fn === 'sha256' && w.minor >= 1))
      w.err(`${p}.verification.hash`, 'unrecognized hash function');
    else if (!new RegExp(`^[0-9a-fA-F]{${fn === 'sha512' ? 128 : 64}}$`).test(sum))
      w.err(`${p}.verification.hash`, 'incorrect size for hash sum');
    else if (!hasSource) w.err(`${p}.verification.hash`, 'source must be specified if verification is specified');
  }
  const headers = list(r['httpHeaders']);
  if (headers.length > 0 && hasSource && !/^https?:/i.test(source))
    w.err(`${p}.httpHeaders`, 'cannot use HTTP headers with this source scheme');
}

function checkOwner(w: Walker, options: unknown, p: string): void {
  if (isObject(options) && options['id'] != null && options['name'] != null && options['name'] !== '')
    w.err(p, 'cannot set both id and name');
}

function checkMode(w: Walker, mode: unknown, p: string): void {
  if (typeof mode !== 'number') return;
  if (mode < 0 || mode > 0o7777) w.err(p, 'illegal file mode');
  else if (mode & 0o7000 && w.minor < 6) w.warn(p, 'setuid/setgid/sticky not supported before spec 3.6.0');
}

const UNIT_SUFFIXES = [
  '.service',
  '.socket',
  '.device',
  '.mount',
  '.automount',
  '.swap',
  '.target',
  '.path',
  '.timer',
  '.snapshot',
  '.slice',
  '.scope',
];

function semanticChecks(config: Json, w: Walker): void {
  const ign = obj(config['ignition']);
  const cfg = obj(ign['config']);
  list(cfg['merge']).forEach((r, i) => checkResource(w, r, `$.ignition.config.merge[${i}]`, true));
  if (isObject(cfg['replace'])) checkResource(w, cfg['replace'], '$.ignition.config.replace', false);
  list(obj(obj(ign['security'])['tls'])['certificateAuthorities']).forEach((r, i) =>
    checkResource(w, r, `$.ignition.security.tls.certificateAuthorities[${i}]`, true),
  );

  const storage = obj(config['storage']);
  const nodePaths = new Set<string>();
  const node = (kind: string, n: Json, i: number) => {
    const p = `$.storage.${kind}[${i}]`;
    checkPath(w, n['path'], `${p}.path`);
    if (typeof n['path'] === 'string') {
      if (nodePaths.has(n['path'])) w.err(p, 'duplicate entry defined');
      nodePaths.add(n['path']);
    }
    checkOwner(w, n['user'], `${p}.user`);
    checkOwner(w, n['group'], `${p}.group`);
    checkMode(w, n['mode'], `${p}.mode`);
  };
  list(storage['files']).forEach((n, i) => {
    node('files', n, i);
    const p = `$.storage.files[${i}]`;
    checkResource(w, n['contents'], `${p}.contents`, false);
    list(n['append']).forEach((r, j) => checkResource(w, r, `${p}.append[${j}]`, false));
    const src = obj(n['contents'])['source'];
    if (n['overwrite'] === true && (typeof src !== 'string' || src === ''))
      w.err(`${p}.overwrite`, 'overwrite must be false if source is unspecified');
  });
  list(storage['directories']).forEach((n, i) => node('directories', n, i));
  list(storage['links']).forEach((n, i) => {
    node('links', n, i);
    if (typeof n['target'] !== 'string' || n['target'] === '')
      w.err(`$.storage.links[${i}].target`, 'link target is required');
  });
  const devices = new Set<string>();
  list(storage['disks']).forEach((d, i) => {
    checkPath(w, d['device'], `$.storage.disks[${i}].device`);
    if (typeof d['device'] === 'string' && devices.has(d['device']))
      w.err(`$.storage.disks[${i}]`, 'duplicate entry defined');
    if (typeof d['device'] === 'string') devices.add(d['device']);
    list(d['partitions']).forEach((part, j) => {
      const label = part['label'];
      if ((part['number'] ?? 0) === 0 && (typeof label !== 'string' || label === '')) {
        w.err(`$.storage.disks[${i}].partitions[${j}]`, 'a partition number >= 1 or a label must be specified');
      }
      if (typeof label === 'string' && label.length > 36)
        w.err(`$.storage.disks[${i}].partitions[${j}].label`, 'partition labels may not exceed 36 characters');
    });
  });
  const fsFormats = ['ext4', 'btrfs', 'xfs', 'vfat', 'swap', ...(w.minor >= 3 ? ['none'] : [])];
  list(storage['filesystems']).forEach((fs, i) => {
    const p = `$.storage.filesystems[${i}]`;
    checkPath(w, fs['device'], `${p}.device`);
    if (fs['path'] != null && fs['path'] !== '') checkPath(w, fs['path'], `${p}.path`);
    const fmt = fs['format'];
    if (typeof fmt === 'string' && fmt !== '' && !fsFormats.includes(fmt))
      w.err(`${p}.format`, 'invalid filesystem format');
  });

  const units = new Set<string>();
  list(obj(config['systemd'])['units']).forEach((u, i) => {
    const p = `$.systemd.units[${i}]`;
    const name = u['name'];
    if (typeof name === 'string') {
      if (!UNIT_SUFFIXES.some((s) => name.endsWith(s))) w.err(`${p}.name`, 'invalid systemd unit extension');
      if (units.has(name)) w.err(p, 'duplicate entry defined');
      units.add(name);
    }
    list(u['dropins']).forEach((d, j) => {
      if (typeof d['name'] === 'string' && !d['name'].endsWith('.conf'))
        w.err(`${p}.dropins[${j}].name`, 'invalid systemd drop-in extension');
    });
  });
  const passwd = obj(config['passwd']);
  for (const kind of ['users', 'groups']) {
    const names = new Set<string>();
    list(passwd[kind]).forEach((u, i) => {
      if (typeof u['name'] === 'string' && names.has(u['name']))
        w.err(`$.passwd.${kind}[${i}]`, 'duplicate entry defined');
      if (typeof u['name'] === 'string') names.add(u['name']);
    });
  }
  const kargs = obj(config['kernelArguments']);
  const exist = new Set(Array.isArray(kargs['shouldExist']) ? kargs['shouldExist'] : []);
  (Array.isArray(kargs['shouldNotExist']) ? kargs['shouldNotExist'] : []).forEach((k, i) => {
    if (exist.has(k)) w.err(`$.kernelArguments.shouldNotExist[${i}]`, 'duplicate entry defined');
  });
}
