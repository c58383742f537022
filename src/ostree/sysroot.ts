/**
 * The ostree CLI steps that turn a mounted root (+ /boot) into a sysroot, in the order ostree
 * needs them: init-fs → repo config → remote + pull → os-init → deploy (see
 * shared/reference/ostree-and-nestos.md B1, C4). All through the exec layer.
 */
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../errors.js';
import { output, run, type RunOptions } from '../exec/run.js';

export function sysrootRepo(sysroot: string): string {
  return join(sysroot, 'ostree', 'repo');
}

export async function initFs(sysroot: string): Promise<void> {
  await run('ostree', ['admin', 'init-fs', '--modern', sysroot]);
}

export async function repoConfigSet(sysroot: string, key: string, value: string): Promise<void> {
  await run('ostree', ['config', `--repo=${sysrootRepo(sysroot)}`, 'set', key, value]);
}

/** `file://` URL for a local repo path; http(s) and file URLs pass through. */
export function remoteUrl(source: string): string {
  if (/^(https?|file):\/\//.test(source)) return source;
  return pathToFileURL(isAbsolute(source) ? source : resolve(source)).href;
}

export interface RemoteOptions {
  name: string;
  url: string;
  /** Armored or binary key files imported into the remote's keyring (gpg-verify on). */
  gpgKeyFiles: string[];
  insecure: boolean;
}

/**
 * Adds the remote to a repo (a sysroot's: sysrootRepo) with commit-signature verification
 * against exactly the given keys (`--gpg-import` fills a per-remote keyring), or without
 * verification when insecure.
 */
export async function addRemote(repo: string, remote: RemoteOptions): Promise<void> {
  const args = ['remote', 'add', `--repo=${repo}`];
  if (remote.insecure) {
    args.push('--no-gpg-verify');
  } else {
    if (remote.gpgKeyFiles.length === 0) {
      throw new UserError('no trusted keys to verify the ostree commit; pass --trusted-key or --insecure');
    }
    args.push('--set=gpg-verify=true', '--set=gpg-verify-summary=false');
  }
  args.push(remote.name, remote.url);
  await run('ostree', args);
  if (!remote.insecure) {
    for (const key of remote.gpgKeyFiles) {
      await run('ostree', ['remote', 'gpg-import', `--repo=${repo}`, `--keyring=${key}`, remote.name]);
    }
  }
}

export async function pull(sysroot: string, remote: string, ref: string, options: RunOptions = {}): Promise<string> {
  await run('ostree', ['pull', `--repo=${sysrootRepo(sysroot)}`, remote, ref], options);
  return output('ostree', ['rev-parse', `--repo=${sysrootRepo(sysroot)}`, `${remote}:${ref}`]);
}

export async function osInit(sysroot: string, osname: string): Promise<void> {
  await run('ostree', ['admin', 'os-init', `--sysroot=${sysroot}`, osname]);
}

export interface DeployOptions {
  osname: string;
  refspec: string;
  kargs: string[];
  env?: Record<string, string>;
}

/**
 * `deploy --karg-none` plus our kargs: never `--karg-proc-cmdline`, which would import the
 * installer host's own command line into the installed system.
 */
export async function deploy(sysroot: string, options: DeployOptions): Promise<void> {
  const args = ['admin', 'deploy', `--sysroot=${sysroot}`, `--os=${options.osname}`, '--karg-none'];
  for (const k of options.kargs) args.push(`--karg-append=${k}`);
  args.push(options.refspec);
  await run('ostree', args, { env: options.env });
}

/** Paths of the deployments of one stateroot (`<commit>.<serial>` directories). */
export async function deploymentDirs(sysroot: string, osname: string): Promise<string[]> {
  const dir = join(sysroot, 'ostree', 'deploy', osname, 'deploy');
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => /^[0-9a-f]{64}\.\d+$/.test(n))
    .sort()
    .map((n) => join(dir, n));
}

export async function adminStatus(sysroot: string): Promise<string> {
  return output('ostree', ['admin', 'status', `--sysroot=${sysroot}`]);
}

/** Deployment dirs are `chattr +i`; clear that so a test sysroot can be deleted. */
export async function unlockDeployments(sysroot: string): Promise<void> {
  const base = join(sysroot, 'ostree', 'deploy');
  for (const os of await readdir(base).catch(() => [] as string[])) {
    for (const dep of await deploymentDirs(sysroot, os)) {
      await run('chattr', ['-i', dep], { okExitCodes: [1] });
    }
  }
}
