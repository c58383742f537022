/** nmstate YAML → NetworkManager keyfiles: exact text per interface type, and clear refusals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertNmstateYaml } from '../../../src/network/nmstate.js';
import { connectionUuid } from '../../../src/network/keyfile.js';

const convert = (yaml: string): Record<string, string> =>
  Object.fromEntries(convertNmstateYaml(yaml).map((k) => [k.name, k.data.toString()]));
const conn = (name: string, type: string, extra = '') =>
  `[connection]\nid=${name}\nuuid=${connectionUuid(name)}\ntype=${type}\ninterface-name=${name}\nautoconnect=true\n${extra}`;

test('connection UUIDs are stable name-based version 5 UUIDs', () => {
  assert.equal(connectionUuid('eth0'), '032c7498-0ec8-5d36-85dd-b512be25a227');
  assert.match(connectionUuid('br0'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(connectionUuid('eth0'), connectionUuid('eth1'));
});

test('ethernet with static IPv4, default route as gateway, other routes, DNS and MAC/MTU', () => {
  const out = convert(`
interfaces:
- name: eth0
  type: ethernet
  state: up
  mac-address: 52:54:00:ab:cd:ef
  mtu: 9000
  ipv4:
    enabled: true
    dhcp: false
    address:
    - ip: 192.168.122.10
      prefix-length: 24
    - ip: 10.1.1.1
      prefix-length: 8
  ipv6:
    enabled: false
dns-resolver:
  config:
    server: [192.168.122.1, 8.8.8.8]
    search: [example.com, lab.example.com]
routes:
  config:
  - destination: 0.0.0.0/0
    next-hop-address: 192.168.122.1
    next-hop-interface: eth0
  - destination: 172.16.0.0/12
    next-hop-address: 192.168.122.254
    next-hop-interface: eth0
    metric: 150
  - destination: 198.51.100.0/24
    next-hop-interface: eth0
`);
  assert.deepEqual(Object.keys(out), ['eth0.nmconnection']);
  assert.equal(
    out['eth0.nmconnection'],
    conn('eth0', 'ethernet') +
      '\n[ethernet]\nmac-address=52:54:00:AB:CD:EF\nmtu=9000\n' +
      '\n[ipv4]\nmethod=manual\naddress1=192.168.122.10/24,192.168.122.1\naddress2=10.1.1.1/8\n' +
      'dns=192.168.122.1;8.8.8.8;\ndns-search=example.com;lab.example.com;\n' +
      'route1=172.16.0.0/12,192.168.122.254,150\nroute2=198.51.100.0/24\n' +
      '\n[ipv6]\nmethod=disabled\n',
  );
});

test('ethernet with DHCP, IPv6 autoconf/dhcp/static and the auto-* switches', () => {
  const out = convert(`
interfaces:
- name: ens3
  type: ethernet
  ipv4: {enabled: true, dhcp: true, auto-dns: false, auto-gateway: false, auto-routes: false}
  ipv6: {enabled: true, dhcp: true, autoconf: true}
- name: ens4
  type: ethernet
  ipv4: {enabled: false}
  ipv6:
    enabled: true
    address: [{ip: "2001:db8::5", prefix-length: 64}]
- name: ens5
  type: ethernet
  ipv6: {enabled: true, dhcp: true, autoconf: false}
- name: ens6
  type: ethernet
  ipv6: {enabled: true}
dns-resolver:
  config:
    server: ["2001:db8::53", 192.0.2.53]
routes:
  config:
  - destination: ::/0
    next-hop-address: "2001:db8::1"
    next-hop-interface: ens4
`);
  assert.equal(
    out['ens3.nmconnection'],
    conn('ens3', 'ethernet') +
      '\n[ethernet]\n' +
      '\n[ipv4]\nmethod=auto\ndns=192.0.2.53;\nignore-auto-dns=true\nignore-auto-routes=true\nnever-default=true\n' +
      '\n[ipv6]\nmethod=auto\n',
  );
  // the IPv6 server goes to the interface with the IPv6 default route
  assert.equal(
    out['ens4.nmconnection'],
    conn('ens4', 'ethernet') +
      '\n[ethernet]\n\n[ipv4]\nmethod=disabled\n\n[ipv6]\nmethod=manual\naddress1=2001:db8::5/64,2001:db8::1\ndns=2001:db8::53;\n',
  );
  assert.match(out['ens5.nmconnection']!, /\[ipv6\]\nmethod=dhcp\n$/);
  assert.match(out['ens6.nmconnection']!, /\[ipv6\]\nmethod=link-local\n$/);
});

test('bond: mode, options, listed and unlisted ports get master/slave-type and no IP sections', () => {
  const out = convert(`
interfaces:
- name: bond0
  type: bond
  state: up
  mac-address: 02:00:00:00:00:01
  ipv4: {enabled: true, dhcp: true}
  link-aggregation:
    mode: 802.3ad
    options: {miimon: 100, lacp_rate: fast, all_slaves_active: true}
    port: [eth1, eth2]
- name: eth1
  type: ethernet
  mtu: 1500
  ipv4: {enabled: false}
`);
  assert.deepEqual(Object.keys(out), ['bond0.nmconnection', 'eth1.nmconnection', 'eth2.nmconnection']);
  assert.equal(
    out['bond0.nmconnection'],
    conn('bond0', 'bond') +
      '\n[ethernet]\ncloned-mac-address=02:00:00:00:00:01\n' +
      '\n[bond]\nmode=802.3ad\nmiimon=100\nlacp_rate=fast\nall_slaves_active=1\n' +
      '\n[ipv4]\nmethod=auto\n\n[ipv6]\nmethod=disabled\n',
  );
  assert.equal(
    out['eth1.nmconnection'],
    conn('eth1', 'ethernet', 'master=bond0\nslave-type=bond\n') + '\n[ethernet]\nmtu=1500\n',
  );
  assert.equal(
    out['eth2.nmconnection'],
    conn('eth2', 'ethernet', 'master=bond0\nslave-type=bond\n') + '\n[ethernet]\n',
  );
  // nmstate 1.x `slaves` is the same list
  const old = convert(
    'interfaces:\n- name: bond0\n  type: bond\n  link-aggregation: {mode: active-backup, slaves: [eth1]}\n',
  );
  assert.match(old['eth1.nmconnection']!, /master=bond0\nslave-type=bond\n/);
  assert.match(old['bond0.nmconnection']!, /\[bond\]\nmode=active-backup\n\n\[ipv4\]\nmethod=disabled\n/);
});

test('vlan: id and parent; bridge: stp and ports (a bond can be a bridge port)', () => {
  const out = convert(`
interfaces:
- name: eth0.100
  type: vlan
  mtu: 1400
  vlan: {base-iface: eth0, id: 100}
  ipv4:
    enabled: true
    address: [{ip: 192.0.2.10, prefix-length: 24}]
- name: br0
  type: linux-bridge
  ipv4: {enabled: true, dhcp: true}
  bridge:
    options: {stp: {enabled: false}}
    port: [{name: bond1}, {name: eth3}]
- name: bond1
  type: bond
  link-aggregation: {mode: balance-rr, port: [eth4]}
`);
  assert.deepEqual(Object.keys(out), [
    'eth0.100.nmconnection',
    'br0.nmconnection',
    'bond1.nmconnection',
    'eth3.nmconnection',
    'eth4.nmconnection',
  ]);
  assert.equal(
    out['eth0.100.nmconnection'],
    conn('eth0.100', 'vlan') +
      '\n[ethernet]\nmtu=1400\n\n[vlan]\nid=100\nparent=eth0\n\n[ipv4]\nmethod=manual\naddress1=192.0.2.10/24\n\n[ipv6]\nmethod=disabled\n',
  );
  assert.equal(
    out['br0.nmconnection'],
    conn('br0', 'bridge') + '\n[bridge]\nstp=false\n\n[ipv4]\nmethod=auto\n\n[ipv6]\nmethod=disabled\n',
  );
  assert.equal(
    out['bond1.nmconnection'],
    conn('bond1', 'bond', 'master=br0\nslave-type=bridge\n') + '\n[bond]\nmode=balance-rr\n',
  );
  assert.equal(
    out['eth3.nmconnection'],
    conn('eth3', 'ethernet', 'master=br0\nslave-type=bridge\n') + '\n[ethernet]\n',
  );
  assert.equal(
    out['eth4.nmconnection'],
    conn('eth4', 'ethernet', 'master=bond1\nslave-type=bond\n') + '\n[ethernet]\n',
  );
  const plain = convert('interfaces:\n- name: br1\n  type: linux-bridge\n');
  assert.equal(
    plain['br1.nmconnection'],
    conn('br1', 'bridge') + '\n[bridge]\n\n[ipv4]\nmethod=disabled\n\n[ipv6]\nmethod=disabled\n',
  );
});

test('keys and values outside the subset are refused with their YAML path and the nmstatectl gc hint', () => {
  const refuse = (yaml: string, re: RegExp) => assert.throws(() => convertNmstateYaml(yaml), re);
  const hint = /convert the file to a NetworkManager keyfile with 'nmstatectl gc'.*--network-keyfile/;
  refuse(
    'interfaces:\n- name: eth0\n  type: ethernet\n  ethtool: {}\n',
    /interfaces\[0\]\.ethtool \(interface 'eth0'\): nmstate key 'ethtool' is not supported/,
  );
  refuse('interfaces:\n- name: eth0\n  type: ethernet\n  ethtool: {}\n', hint);
  refuse(
    'interfaces:\n- name: eth0\n  type: ethernet\n  ipv4: {enabled: true, dhcp: true, dhcp-client-id: mac}\n',
    /interfaces\[0\]\.ipv4\.dhcp-client-id \(interface 'eth0'\): nmstate key 'dhcp-client-id' is not supported/,
  );
  refuse(
    'interfaces:\n- name: eth0\n  type: ethernet\nroute-rules: {config: []}\n',
    /route-rules: nmstate key 'route-rules' is not supported/,
  );
  refuse(
    'interfaces:\n- name: ovs0\n  type: ovs-bridge\n',
    /interfaces\[0\]\.type \(interface 'ovs0'\): value "ovs-bridge" is not supported .*supported: ethernet, bond, vlan, linux-bridge/,
  );
  refuse(
    'interfaces:\n- name: eth0\n  type: ethernet\n  state: absent\n',
    /interfaces\[0\]\.state .*value "absent" is not supported/,
  );
  refuse(
    'interfaces:\n- name: bond0\n  type: bond\n  link-aggregation: {mode: fancy, port: []}\n',
    /link-aggregation\.mode .*"fancy" is not supported/,
  );
  refuse(
    'routes:\n  config:\n  - destination: 10.0.0.0/8\n    next-hop-interface: eth0\n    table-id: 100\ninterfaces:\n- {name: eth0, type: ethernet, ipv4: {enabled: true, dhcp: true}}\n',
    /routes\.config\[0\]\.table-id: nmstate key 'table-id' is not supported/,
  );
});

test('inconsistent documents are refused with a reason', () => {
  const refuse = (yaml: string, re: RegExp) => assert.throws(() => convertNmstateYaml(yaml), re);
  refuse('- a\n', /top level: must be a YAML mapping/);
  refuse('interfaces: [\n', /parsing YAML/);
  refuse('interfaces: []\n', /interfaces/);
  refuse(
    'interfaces:\n- {name: eth0, type: ethernet}\n- {name: eth0, type: ethernet}\n',
    /interfaces\[1\]: interface 'eth0' is listed twice/,
  );
  refuse('interfaces:\n- {name: "bad name", type: ethernet}\n', /interfaces\[0\]\.name .*must be an interface name/);
  refuse(
    'interfaces:\n- {name: eth0, type: ethernet, vlan: {base-iface: eth1, id: 3}}\n',
    /interfaces\[0\]\.vlan: only valid on interfaces of type vlan/,
  );
  refuse('interfaces:\n- {name: v, type: vlan}\n', /needs a vlan section/);
  refuse('interfaces:\n- {name: b, type: bond}\n', /needs a link-aggregation section/);
  refuse(
    'interfaces:\n- name: bond0\n  type: bond\n  link-aggregation: {mode: balance-rr, port: [eth1]}\n- {name: eth1, type: ethernet, ipv4: {enabled: true, dhcp: true}}\n',
    /interfaces\[1\]\.ipv4: 'eth1' is a port of 'bond0' and cannot have IP configuration/,
  );
  refuse(
    'interfaces:\n- name: br0\n  type: linux-bridge\n  bridge: {port: [{name: eth1}]}\n- name: bond0\n  type: bond\n  link-aggregation: {mode: balance-rr, port: [eth1]}\n',
    /'eth1' is already a port of 'br0'/,
  );
  refuse(
    'interfaces:\n- {name: eth0, type: ethernet, ipv4: {enabled: true}}\n',
    /interfaces\[0\]\.ipv4: enabled without dhcp needs at least one address/,
  );
  refuse(
    'interfaces:\n- {name: eth0, type: ethernet, ipv4: {enabled: true, address: [{ip: "2001:db8::1", prefix-length: 64}]}}\n',
    /interfaces\[0\]\.ipv4\.address\[0\]: 2001:db8::1\/64 is not an IPv4 address/,
  );
  refuse(
    'interfaces:\n- {name: eth0, type: ethernet, ipv4: {enabled: true, dhcp: true}}\nroutes:\n  config:\n  - {destination: 10.0.0.0/8, next-hop-interface: eth9}\n',
    /routes\.config\[0\]\.next-hop-interface: interface 'eth9' is not listed under interfaces/,
  );
  refuse(
    'interfaces:\n- {name: eth0, type: ethernet, ipv4: {enabled: true, dhcp: true}}\nroutes:\n  config:\n  - {destination: "2001:db8::/32", next-hop-interface: eth0}\n',
    /interface 'eth0' has no ipv6 configuration enabled/,
  );
  refuse(
    'interfaces:\n- {name: eth0, type: ethernet, ipv4: {enabled: true, dhcp: true}}\nroutes:\n  config:\n  - {destination: 10.0.0.0/8, next-hop-address: "2001:db8::1", next-hop-interface: eth0}\n',
    /next-hop-address: is not an IPv4 address/,
  );
  refuse(
    'interfaces:\n- {name: eth0, type: ethernet, ipv4: {enabled: true, dhcp: true}}\ndns-resolver: {config: {server: ["2001:db8::53"]}}\n',
    /DNS server 2001:db8::53 needs an interface with ipv6 enabled/,
  );
  refuse(
    'interfaces:\n- {name: eth0, type: ethernet, ipv4: {enabled: true, dhcp: true}}\ndns-resolver: {config: {search: ["bad;domain"]}}\n',
    /dns-resolver\.config\.search\[0\].*DNS domain name/,
  );
  // NetworkManager refuses DNS on a link-local profile
  refuse(
    'interfaces:\n- {name: eth0, type: ethernet, ipv6: {enabled: true}}\ndns-resolver: {config: {server: ["2001:db8::53"]}}\n',
    /DNS server 2001:db8::53 needs an interface with ipv6 enabled \(DHCP, autoconf or static addresses\)/,
  );
});

test('nmstate as JSON with booleans written as strings (upstream fixture installer-test-nmstate-json.json) converts like YAML', () => {
  const yaml = `
interfaces:
- name: eth0
  type: ethernet
  state: up
  ipv4:
    enabled: true
    dhcp: false
    address:
    - ip: 192.0.2.5
      prefix-length: 24
  ipv6:
    enabled: false
- name: eth1
  type: ethernet
  state: up
  mtu: 1500
  ipv4:
    enabled: true
    dhcp: true
    auto-dns: false
  ipv6:
    enabled: true
    dhcp: true
    autoconf: true
dns-resolver:
  config:
    server: [192.0.2.1]
routes:
  config:
  - destination: 0.0.0.0/0
    next-hop-address: 192.0.2.1
    next-hop-interface: eth0
`;
  const json = JSON.stringify(
    {
      interfaces: [
        {
          name: 'eth0',
          type: 'ethernet',
          state: 'up',
          ipv4: { enabled: 'true', dhcp: 'false', address: [{ ip: '192.0.2.5', 'prefix-length': '24' }] },
          ipv6: { enabled: 'false' },
        },
        {
          name: 'eth1',
          type: 'ethernet',
          state: 'up',
          mtu: 1500,
          ipv4: { enabled: 'true', dhcp: 'true', 'auto-dns': 'false' },
          ipv6: { enabled: 'true', dhcp: 'true', autoconf: 'true' },
        },
      ],
      'dns-resolver': { config: { server: ['192.0.2.1'] } },
      routes: { config: [{ destination: '0.0.0.0/0', 'next-hop-address': '192.0.2.1', 'next-hop-interface': 'eth0' }] },
    },
    null,
    2,
  );
  const fromYaml = convert(yaml);
  assert.deepEqual(Object.keys(fromYaml), ['eth0.nmconnection', 'eth1.nmconnection']);
  assert.deepEqual(convert(json), fromYaml);
  assert.match(fromYaml['eth1.nmconnection']!, /\[ipv4\]\nmethod=auto\nignore-auto-dns=true\n/);
  assert.throws(
    () => convert(json.replace('"enabled": "true"', '"enabled": "maybe"')),
    /interfaces\[0\]\.ipv4\.enabled/,
  );
});
