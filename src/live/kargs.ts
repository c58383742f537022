/**
 * The live-environment install request (reference §3.8): `nestos.inst.*` / `coreos.inst.*`
 * kernel arguments → install options. Pure: parsing and mapping only.
 */
import type { InstallOptions } from '../install/options.js';

/** Splits a kernel command line like the kernel does (double quotes group, are removed). */
export function parseCmdline(text: string): Array<[string, string | undefined]> {
  const out: Array<[string, string | undefined]> = [];
  const re = /(?:[^\s"]+|"[^"]*")+/g;
  for (const m of text.trim().matchAll(re)) {
    const word = m[0].replace(/"/g, '');
    const eq = word.indexOf('=');
    out.push(eq < 0 ? [word, undefined] : [word.slice(0, eq), word.slice(eq + 1)]);
  }
  return out;
}

const NETWORK_KARGS = new Set(['ip', 'nameserver', 'rd.route', 'bond', 'bridge', 'team', 'vlan', 'ifname', 'rd.peerdns', 'biosdevname', 'net.ifnames']);

export interface LiveRequest {
  /** Options set by kargs (only the fields kargs can set). */
  options: Partial<InstallOptions>;
  warnings: string[];
  /** True when any install karg is present. */
  requested: boolean;
  skipReboot: boolean;
}

export function liveRequestFromCmdline(text: string): LiveRequest {
  const options: Partial<InstallOptions> = {};
  const warnings: string[] = [];
  const net: string[] = [];
  let requested = false;
  let skipReboot = false;
  let persistNet = true;
  const append = (key: 'savePartlabel' | 'savePartindex', v: string) => {
    options[key] = [...(options[key] ?? []), ...v.split(',')];
  };
  for (const [rawKey, value] of parseCmdline(text)) {
    if (NETWORK_KARGS.has(rawKey) && value !== undefined) net.push(`${rawKey}=${value}`);
    if (rawKey === 'nestos.no_persist_ip' || rawKey === 'coreos.no_persist_ip' || rawKey === 'nrstos.no_persist_ip') persistNet = false;
    const m = /^(?:nestos|coreos)\.inst\.(.+)$/.exec(rawKey);
    if (!m) continue;
    const key = m[1]!;
    const v = value ?? '';
    switch (key) {
      case 'install_dev':
        requested = true;
        if (v.includes('/')) options.dest = v;
        else {
          options.dest = `/dev/${v}`;
          warnings.push(`Warning: ${rawKey}=${v} without /dev/ is deprecated; use ${rawKey}=/dev/${v}`);
        }
        break;
      case 'ignition_url':
        if (v && v !== 'skip') {
          options.ignitionUrl = v;
          options.insecureIgnition = true;
        }
        break;
      case 'image_url':
        options.imageUrl = v;
        break;
      case 'platform_id':
        options.platform = v;
        break;
      case 'stream':
        options.stream = v;
        break;
      case 'save_partlabel':
        append('savePartlabel', v);
        break;
      case 'save_partindex':
        append('savePartindex', v);
        break;
      case 'insecure':
        options.insecure = true;
        break;
      case 'skip_reboot':
        skipReboot = true;
        break;
      default:
        warnings.push(`Warning: ignoring unknown kernel argument ${rawKey}`);
    }
  }
  if (persistNet && net.length > 0) options.firstbootArgs = ['rd.neednet=1', ...net].join(' ');
  return { options, warnings, requested, skipReboot };
}
