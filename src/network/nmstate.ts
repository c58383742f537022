/**
 * `--network-nmstate`: converts an nmstate network state, YAML or JSON (the subset in nmstate-schema.ts)
 * into NetworkManager keyfiles `<ifname>.nmconnection`, which are then handled exactly like
 * `--network-keyfile` files. Upstream calls `nmstatectl gc`'s library; nmstate is not packaged
 * here, so this is our own converter. Rules follow nmstate: DNS servers go to an interface with
 * that IP family enabled (one with a default route first, then a static one), a route goes to its
 * `next-hop-interface`, a default route's next hop becomes the gateway of the first address, and
 * ports (bond/bridge members) get `master=`/`slave-type=` and no IP configuration. Ports that are
 * not listed under `interfaces` get a plain ethernet port keyfile.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import YAML from 'yaml';
import { UserError, withContextSync } from '../errors.js';
import { connectionUuid, keyfileList, renderKeyfile, type KeyfileSection } from './keyfile.js';
import { validateNmstate, type NmInterface, type NmIp, type Nmstate } from './nmstate-schema.js';

export interface GeneratedKeyfile {
  name: string;
  data: Buffer;
}

type Family = 4 | 6;
interface FamilyExtras {
  gateway?: string;
  routes: string[];
  dns: string[];
  search: string[];
}
interface Port {
  controller: string;
  kind: 'bond' | 'bridge';
}

const NM_TYPE: Record<NmInterface['type'], string> = {
  ethernet: 'ethernet',
  bond: 'bond',
  vlan: 'vlan',
  'linux-bridge': 'bridge',
};
const fail = (at: string, msg: string) => new UserError(`${at}: ${msg}`);
const ipKey = (f: Family) => (f === 4 ? 'ipv4' : 'ipv6');
const isDefault = (dest: string) => dest === '0.0.0.0/0' || dest === '::/0';

/** Parses, validates and converts one nmstate document (YAML, of which JSON is a subset). */
export function convertNmstateYaml(text: string): GeneratedKeyfile[] {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new UserError('parsing YAML', { cause: e });
  }
  return nmstateToKeyfiles(validateNmstate(doc));
}

export function readNmstateFile(path: string): GeneratedKeyfile[] {
  const text = withContextSync(() => readFileSync(path, 'utf8'), `reading ${path}`);
  return withContextSync(() => convertNmstateYaml(text), `converting nmstate file ${path}`);
}

export function nmstateToKeyfiles(state: Nmstate): GeneratedKeyfile[] {
  const index = new Map<string, number>();
  state.interfaces.forEach((i, n) => {
    if (index.has(i.name)) throw fail(`interfaces[${n}]`, `interface '${i.name}' is listed twice`);
    index.set(i.name, n);
    checkTypeSections(i, n);
  });
  const ports = collectPorts(state, index);
  const extras = new Map<string, Record<Family, FamilyExtras>>();
  const extrasOf = (name: string) => {
    let e = extras.get(name);
    if (!e) extras.set(name, (e = { 4: { routes: [], dns: [], search: [] }, 6: { routes: [], dns: [], search: [] } }));
    return e;
  };
  const enabled = (i: NmInterface, f: Family) => !ports.has(i.name) && (i[ipKey(f)]?.enabled ?? false);

  for (const [n, r] of (state.routes?.config ?? []).entries()) {
    const at = `routes.config[${n}]`;
    const [dest] = r.destination.split('/');
    const family = isIP(dest!) as Family;
    if (r['next-hop-address'] !== undefined && isIP(r['next-hop-address']) !== family)
      throw fail(`${at}.next-hop-address`, `is not an IPv${family} address like the destination`);
    const ifn = index.get(r['next-hop-interface']);
    const iface = ifn === undefined ? undefined : state.interfaces[ifn];
    if (!iface)
      throw fail(
        `${at}.next-hop-interface`,
        `interface '${r['next-hop-interface']}' is not listed under interfaces (a route is written into its interface's keyfile)`,
      );
    if (!enabled(iface, family))
      throw fail(`${at}.next-hop-interface`, `interface '${iface.name}' has no ${ipKey(family)} configuration enabled`);
    const ex = extrasOf(iface.name)[family];
    const hop = r['next-hop-address'];
    const hasAddresses = (iface[ipKey(family)]?.address ?? []).length > 0;
    if (
      isDefault(r.destination) &&
      hop !== undefined &&
      r.metric === undefined &&
      ex.gateway === undefined &&
      hasAddresses
    )
      ex.gateway = hop;
    else {
      // routeN=dest[,next-hop[,metric]]; the unspecified address stands for "no next hop"
      const parts = [r.destination];
      if (hop !== undefined || r.metric !== undefined) parts.push(hop ?? (family === 4 ? '0.0.0.0' : '::'));
      if (r.metric !== undefined) parts.push(String(r.metric));
      ex.routes.push(parts.join(','));
    }
  }

  const dns = state['dns-resolver']?.config;
  if (dns) {
    const pick = (f: Family, what: string): string => {
      // NetworkManager refuses DNS settings on link-local (and disabled) profiles
      const candidates = state.interfaces.filter(
        (i) => enabled(i, f) && ['manual', 'auto', 'dhcp'].includes(methodOf(f, i[ipKey(f)])),
      );
      const best =
        candidates.find(
          (i) =>
            extras.get(i.name)?.[f].gateway !== undefined ||
            extras.get(i.name)?.[f].routes.some((r) => isDefault(r.split(',')[0]!)),
        ) ??
        candidates.find((i) => methodOf(f, i[ipKey(f)]) === 'manual') ??
        candidates[0];
      if (!best)
        throw fail(
          'dns-resolver.config',
          `${what} needs an interface with ${ipKey(f)} enabled (DHCP, autoconf or static addresses) to be attached to`,
        );
      return best.name;
    };
    const servers = dns.server ?? [];
    for (const s of servers) {
      const f = isIP(s) as Family;
      extrasOf(pick(f, `DNS server ${s}`))[f].dns.push(s);
    }
    const search = dns.search ?? [];
    if (search.length > 0) {
      const f: Family =
        servers[0] !== undefined ? (isIP(servers[0]) as Family) : state.interfaces.some((i) => enabled(i, 4)) ? 4 : 6;
      extrasOf(pick(f, 'the DNS search list'))[f].search.push(...search);
    }
  }

  const out = state.interfaces.map((i, n) => keyfileFor(i, n, ports.get(i.name), extras.get(i.name)));
  for (const [name, port] of ports) {
    if (!index.has(name)) out.push(keyfileFor({ name, type: 'ethernet' }, -1, port, undefined));
  }
  return out;
}

function checkTypeSections(i: NmInterface, n: number): void {
  const at = `interfaces[${n}]`;
  const only = { 'link-aggregation': 'bond', vlan: 'vlan', bridge: 'linux-bridge' } as const;
  for (const [key, type] of Object.entries(only)) {
    if (i[key as keyof typeof only] !== undefined && i.type !== type)
      throw fail(`${at}.${key}`, `only valid on interfaces of type ${type} (this one is ${i.type})`);
  }
  if (i.type === 'bond' && !i['link-aggregation'])
    throw fail(at, `bond '${i.name}' needs a link-aggregation section with its mode and ports`);
  if (i.type === 'vlan' && !i.vlan) throw fail(at, `vlan '${i.name}' needs a vlan section with base-iface and id`);
  const la = i['link-aggregation'];
  if (la?.port && la.slaves)
    throw fail(`${at}.link-aggregation`, "give either 'port' or its old name 'slaves', not both");
}

function collectPorts(state: Nmstate, index: Map<string, number>): Map<string, Port> {
  const ports = new Map<string, Port>();
  state.interfaces.forEach((i, n) => {
    const la = i['link-aggregation'];
    const members: Array<[string, string]> = [
      ...(la?.port ?? la?.slaves ?? []).map((p, k): [string, string] => [
        p,
        `interfaces[${n}].link-aggregation.${la?.port ? 'port' : 'slaves'}[${k}]`,
      ]),
      ...(i.bridge?.port ?? []).map((p, k): [string, string] => [p.name, `interfaces[${n}].bridge.port[${k}]`]),
    ];
    for (const [p, at] of members) {
      if (p === i.name) throw fail(at, `'${p}' cannot be a port of itself`);
      const prev = ports.get(p);
      if (prev) throw fail(at, `'${p}' is already a port of '${prev.controller}'`);
      ports.set(p, { controller: i.name, kind: i.type === 'bond' ? 'bond' : 'bridge' });
    }
  });
  for (const [p, port] of ports) {
    const n = index.get(p);
    const iface = n === undefined ? undefined : state.interfaces[n];
    if (!iface) continue;
    if (iface.type === 'linux-bridge')
      throw fail(`interfaces[${n}]`, `bridge '${p}' cannot be a port of '${port.controller}'`);
    if (iface.type === 'bond' && port.kind === 'bond')
      throw fail(`interfaces[${n}]`, `bond '${p}' cannot be a port of bond '${port.controller}'`);
    for (const f of [4, 6] as const) {
      if (iface[ipKey(f)]?.enabled)
        throw fail(
          `interfaces[${n}].${ipKey(f)}`,
          `'${p}' is a port of '${port.controller}' and cannot have IP configuration (set enabled: false)`,
        );
    }
  }
  return ports;
}

function keyfileFor(
  i: NmInterface,
  n: number,
  port: Port | undefined,
  extras: Record<Family, FamilyExtras> | undefined,
): GeneratedKeyfile {
  const sections: KeyfileSection[] = [];
  const connection: Array<[string, string]> = [
    ['id', i.name],
    ['uuid', connectionUuid(i.name)],
    ['type', NM_TYPE[i.type]],
    ['interface-name', i.name],
    ['autoconnect', 'true'],
  ];
  if (port) connection.push(['master', port.controller], ['slave-type', port.kind]);
  sections.push(['connection', connection]);

  const ethernet: Array<[string, string]> = [];
  const macValue = i['mac-address']?.toUpperCase();
  if (macValue) ethernet.push([i.type === 'ethernet' ? 'mac-address' : 'cloned-mac-address', macValue]);
  if (i.mtu !== undefined) ethernet.push(['mtu', String(i.mtu)]);
  if (i.type === 'ethernet' || ethernet.length > 0) sections.push(['ethernet', ethernet]);

  const la = i['link-aggregation'];
  if (la) {
    const opts = Object.entries(la.options ?? {}).map(([k, v]): [string, string] => [
      k,
      typeof v === 'boolean' ? (v ? '1' : '0') : String(v),
    ]);
    if (opts.some(([k]) => k === 'mode'))
      throw fail(`interfaces[${n}].link-aggregation.options.mode`, 'give the bond mode as link-aggregation.mode');
    sections.push(['bond', [['mode', la.mode], ...opts]]);
  }
  if (i.vlan)
    sections.push([
      'vlan',
      [
        ['id', String(i.vlan.id)],
        ['parent', i.vlan['base-iface']],
      ],
    ]);
  if (i.type === 'linux-bridge') {
    const stp = i.bridge?.options?.stp?.enabled;
    sections.push(['bridge', stp === undefined ? [] : [['stp', String(stp)]]]);
  }
  if (!port) {
    sections.push(['ipv4', ipEntries(4, i.ipv4, extras?.[4], n)]);
    sections.push(['ipv6', ipEntries(6, i.ipv6, extras?.[6], n)]);
  }
  return { name: `${i.name}.nmconnection`, data: Buffer.from(renderKeyfile(sections)) };
}

/** The NetworkManager `method` of one IP family (nmstate: dhcp / autoconf / addresses). */
function methodOf(f: Family, ip: NmIp | undefined): string {
  if (!ip?.enabled) return 'disabled';
  if (f === 4) return ip.dhcp ? 'auto' : 'manual';
  return ip.autoconf ? 'auto' : ip.dhcp ? 'dhcp' : (ip.address ?? []).length > 0 ? 'manual' : 'link-local';
}

function ipEntries(
  f: Family,
  ip: NmIp | undefined,
  extras: FamilyExtras | undefined,
  n: number,
): Array<[string, string]> {
  if (!ip?.enabled) return [['method', 'disabled']];
  const addresses = ip.address ?? [];
  for (const [k, a] of addresses.entries()) {
    if (isIP(a.ip) !== f || a['prefix-length'] > (f === 4 ? 32 : 128))
      throw fail(
        `interfaces[${n}].${ipKey(f)}.address[${k}]`,
        `${a.ip}/${a['prefix-length']} is not an IPv${f} address with a valid prefix length`,
      );
  }
  const method = methodOf(f, ip);
  const auto = method === 'auto' || method === 'dhcp';
  if (method === 'manual' && addresses.length === 0) {
    throw fail(`interfaces[${n}].ipv4`, 'enabled without dhcp needs at least one address (or set enabled: false)');
  }
  const out: Array<[string, string]> = [['method', method]];
  addresses.forEach((a, k) => {
    const gw = k === 0 && extras?.gateway !== undefined ? `,${extras.gateway}` : '';
    out.push([`address${k + 1}`, `${a.ip}/${a['prefix-length']}${gw}`]);
  });
  if (extras && extras.dns.length > 0) out.push(['dns', keyfileList(extras.dns)]);
  if (extras && extras.search.length > 0) out.push(['dns-search', keyfileList(extras.search)]);
  if (auto) {
    if (ip['auto-dns'] === false) out.push(['ignore-auto-dns', 'true']);
    if (ip['auto-routes'] === false) out.push(['ignore-auto-routes', 'true']);
    if (ip['auto-gateway'] === false) out.push(['never-default', 'true']);
  }
  extras?.routes.forEach((r, k) => out.push([`route${k + 1}`, r]));
  return out;
}
