/** The options of an image install, typed, after the merge of config files and the command line. */
import { arch } from 'node:os';
import type { Flavor } from '../flavor.js';

export interface InstallOptions {
  dest?: string;
  stream?: string;
  imageUrl?: string;
  imageFile?: string;
  ignitionFile?: string;
  ignitionUrl?: string;
  ignitionHash?: string;
  architecture: string;
  platform?: string;
  consoles: string[];
  appendKargs: string[];
  deleteKargs: string[];
  copyNetwork: boolean;
  networkDir: string;
  savePartlabel: string[];
  savePartindex: string[];
  offline: boolean;
  insecure: boolean;
  insecureIgnition: boolean;
  streamBaseUrl?: string;
  preserveOnError: boolean;
  fetchRetries: number;
  secureIpl: boolean;
  /** Hidden; set by the live-environment service. */
  firstbootArgs?: string;
  // Beyond upstream:
  trustedKeys: string[];
  destSize?: number;
  destSectorSize?: number;
  /** Skip the Ignition spec validation (the config must still be JSON). */
  noValidate: boolean;
  dryRun: boolean;
  /** NestOS or CoreOS names on the installed boot filesystem. */
  flavor: Flavor;
}

/** `uname -m` spelled the way streams name architectures. */
export function hostArchitecture(): string {
  const a = arch();
  return ({ x64: 'x86_64', arm64: 'aarch64', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64' } as Record<string, string>)[a] ?? a;
}

export const DEFAULT_NETWORK_DIR = '/etc/NetworkManager/system-connections/';

export function defaultInstallOptions(): InstallOptions {
  return {
    architecture: hostArchitecture(),
    consoles: [],
    appendKargs: [],
    deleteKargs: [],
    copyNetwork: false,
    networkDir: DEFAULT_NETWORK_DIR,
    savePartlabel: [],
    savePartindex: [],
    offline: false,
    insecure: false,
    insecureIgnition: false,
    preserveOnError: false,
    fetchRetries: 0,
    secureIpl: false,
    trustedKeys: [],
    noValidate: false,
    dryRun: false,
    flavor: 'nestos',
  };
}

/** `--dest-size 8G` / `512M` / `1048576` (binary units). */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)\s*([KMGT]i?B?)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? '').charAt(0).toUpperCase();
  const mult = ({ '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 } as Record<string, number>)[unit] ?? 1;
  const n = Number(m[1]) * mult;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
