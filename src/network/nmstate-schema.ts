/**
 * The subset of the nmstate schema that `--network-nmstate` converts (nmstate itself is not
 * packaged here), for YAML or JSON documents. Every object is strict: a key outside the subset
 * is an error naming its path, so nothing in the user's file is silently dropped. As nmstate
 * does, booleans may be written as strings (`"true"`, `"no"`, …) and integers as decimal
 * strings (`"24"`), which is how nmstate's own JSON output and upstream's JSON fixture write them.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { UserError } from '../errors.js';

export const GC_HINT =
  "convert the file to a NetworkManager keyfile with 'nmstatectl gc' on a system with nmstate and pass it with --network-keyfile";

/** nmstate's bool-or-string: a boolean, or one of its spellings as a string. */
const TRUE_WORDS = ['1', 'true', 'yes', 'on', 'y'];
const FALSE_WORDS = ['0', 'false', 'no', 'off', 'n'];
const bool = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const word = v.toLowerCase();
  return TRUE_WORDS.includes(word) ? true : FALSE_WORDS.includes(word) ? false : v;
}, z.boolean());
/** nmstate's integer-or-string: a number, or its decimal digits as a string. */
const integer = () => z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v), z.number().int());

const ifName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,15}$/, 'must be an interface name of 1-15 letters, digits, _ . or -');
const ip = z.string().refine((s) => isIP(s) !== 0, 'must be an IPv4 or IPv6 address');
const cidr = z.string().refine((s) => {
  const [addr, prefix, extra] = s.split('/');
  if (addr === undefined || prefix === undefined || extra !== undefined || !/^\d{1,3}$/.test(prefix)) return false;
  const family = isIP(addr);
  return family !== 0 && Number(prefix) <= (family === 4 ? 32 : 128);
}, 'must be an address/prefix like 192.0.2.0/24');
const mac = z.string().regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/, 'must be a MAC address like 52:54:00:12:34:56');
const domain = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/, 'must be a DNS domain name');

const address = z.strictObject({ ip, 'prefix-length': integer().pipe(z.number().min(0).max(128)) });

const ipCommon = {
  enabled: bool,
  dhcp: bool.optional(),
  address: z.array(address).optional(),
  'auto-dns': bool.optional(),
  'auto-gateway': bool.optional(),
  'auto-routes': bool.optional(),
};
const ipv4 = z.strictObject(ipCommon);
const ipv6 = z.strictObject({ ...ipCommon, autoconf: bool.optional() });

export const BOND_MODES = [
  'balance-rr',
  'active-backup',
  'balance-xor',
  'broadcast',
  '802.3ad',
  'balance-tlb',
  'balance-alb',
] as const;

const bondOptionName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a kernel bonding option name like miimon');
const linkAggregation = z.strictObject({
  mode: z.enum(BOND_MODES),
  options: z
    .record(
      bondOptionName,
      z.union([z.string().regex(/^[^\n\r;]*$/, 'must be a single-line value without ;'), z.number(), z.boolean()]),
    )
    .optional(),
  port: z.array(ifName).optional(),
  // nmstate 1.x name of `port`
  slaves: z.array(ifName).optional(),
});

const vlan = z.strictObject({ 'base-iface': ifName, id: integer().pipe(z.number().min(0).max(4094)) });

const bridge = z.strictObject({
  options: z.strictObject({ stp: z.strictObject({ enabled: bool }).optional() }).optional(),
  port: z.array(z.strictObject({ name: ifName })).optional(),
});

export const INTERFACE_TYPES = ['ethernet', 'bond', 'vlan', 'linux-bridge'] as const;

const iface = z.strictObject({
  name: ifName,
  type: z.enum(INTERFACE_TYPES),
  state: z.enum(['up']).optional(),
  'mac-address': mac.optional(),
  mtu: integer().pipe(z.number().min(68).max(65535)).optional(),
  ipv4: ipv4.optional(),
  ipv6: ipv6.optional(),
  'link-aggregation': linkAggregation.optional(),
  vlan: vlan.optional(),
  bridge: bridge.optional(),
});

const route = z.strictObject({
  destination: cidr,
  'next-hop-address': ip.optional(),
  'next-hop-interface': ifName,
  metric: integer().pipe(z.number().min(0).max(4294967295)).optional(),
});

export const NmstateSchema = z.strictObject({
  interfaces: z.array(iface).min(1),
  'dns-resolver': z
    .strictObject({
      config: z.strictObject({ server: z.array(ip).optional(), search: z.array(domain).optional() }),
    })
    .optional(),
  routes: z.strictObject({ config: z.array(route) }).optional(),
});

export type Nmstate = z.infer<typeof NmstateSchema>;
export type NmInterface = Nmstate['interfaces'][number];
export type NmIp = z.infer<typeof ipv6>;
export type NmRoute = z.infer<typeof route>;

/** `interfaces[0].ipv4.address[1]`, plus the interface name when known. */
export function yamlPath(path: ReadonlyArray<PropertyKey>, doc?: unknown): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out === '' ? '' : '.'}${String(p)}`;
  if (path[0] === 'interfaces' && typeof path[1] === 'number' && doc && typeof doc === 'object') {
    const list = (doc as { interfaces?: unknown }).interfaces;
    const name = Array.isArray(list) ? (list[path[1]] as { name?: unknown } | undefined)?.name : undefined;
    if (typeof name === 'string') out += ` (interface '${name}')`;
  }
  return out === '' ? 'top level' : out;
}

function describeIssue(issue: z.core.$ZodIssue, doc: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    // one key at a time, named by its full path
    return `${yamlPath([...issue.path, issue.keys[0] ?? '?'], doc)}: nmstate key '${issue.keys[0] ?? '?'}' is not supported by nestos-installer; ${GC_HINT}`;
  }
  const at = yamlPath(issue.path, doc);
  if (issue.code === 'invalid_value') {
    // enums list the supported subset (interface types, bond modes, state: up)
    const value = lookup(doc, issue.path);
    return `${at}: value ${JSON.stringify(value)} is not supported by nestos-installer (supported: ${issue.values.map((v) => String(v)).join(', ')}); ${GC_HINT}`;
  }
  return `${at}: ${issue.message}`;
}

function lookup(doc: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur = doc;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/** Validates a parsed YAML document against the supported subset. */
export function validateNmstate(doc: unknown): Nmstate {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new UserError('top level: must be a YAML mapping with an interfaces list');
  const r = NmstateSchema.safeParse(doc);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new UserError(issue ? describeIssue(issue, doc) : 'invalid nmstate document');
}
