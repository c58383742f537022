/** The options of an image install, typed, after the merge of config files and the command line. */
import type { SectorSize } from '../disk/sector-size.js';
import type { Flavor } from '../flavor.js';
import { defaultArch } from '../stream/arch.js';

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
  destSectorSize?: SectorSize;
  /** Skip the Ignition spec validation (the config must still be JSON). */
  noValidate: boolean;
  dryRun: boolean;
  /** NestOS or CoreOS names on the installed boot filesystem. */
  flavor: Flavor;
}

export const DEFAULT_NETWORK_DIR = '/etc/NetworkManager/system-connections/';

export function defaultInstallOptions(): InstallOptions {
  return {
    architecture: defaultArch(),
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
