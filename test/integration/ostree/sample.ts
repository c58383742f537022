/** Shared bits of the ostree integration tests (not a test file itself). */
import { readFile } from 'node:fs/promises';
import { output } from '../../../src/exec/run.js';
import type { OstreeInstallOptions } from '../../../src/ostree/install.js';
import { BootError, bootProbe, type BootOptions, type ProbeResult } from '../../helpers/qemu.js';

export function sampleOptions(device: string, repo: string, ref: string, key: string): OstreeInstallOptions {
  return {
    device,
    repo,
    ref,
    osname: 'nestos',
    remoteName: 'openEuler',
    insecure: false,
    trustedKeys: [key],
    appendKargs: [],
    deleteKargs: [],
    consoles: [],
    firstboot: true,
    sizes: { espMiB: 64, bootMiB: 192, rootMiB: 0 },
    destSize: 768 * 1024 * 1024,
    preserveOnError: false,
    noValidate: false,
    flavor: 'nestos',
  };
}

export async function sampleRef(refFile: string): Promise<string> {
  return (await readFile(refFile, 'utf8')).trim();
}

export async function commitOf(repo: string, ref: string): Promise<string> {
  return output('ostree', ['rev-parse', `--repo=${repo}`, ref]);
}

/**
 * bootProbe, retried once when the marker line was printed but got interleaved with the
 * kernel's power-off messages on the serial console (a race in the probe, not in the disk).
 */
export async function bootOnce(opts: BootOptions): Promise<{ probe: ProbeResult; log: string }> {
  try {
    return await bootProbe(opts);
  } catch (err) {
    if (err instanceof BootError && err.log.includes('FIRSTBOOT-PROBE {')) return bootProbe(opts);
    throw err;
  }
}
