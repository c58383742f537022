/**
 * The /var skeleton of a fresh stateroot. ostree shares one /var per stateroot and never
 * touches it; systemd creates it at boot from tmpfiles.d. We run systemd-tmpfiles at install
 * time against the deployment (with the stateroot's var bind-mounted on its /var), first with
 * the tree's own tmpfiles.d restricted to the /var prefixes, then with the FCOS-like baseline
 * below (fed on stdin) so a tree without tmpfiles.d still gets its home/roothome/... links.
 */
import { join } from 'node:path';
import { run } from '../exec/run.js';
import type { MountStack } from './mounts.js';

export const VAR_PREFIXES = [
  '/var/home',
  '/var/roothome',
  '/var/opt',
  '/var/srv',
  '/var/usrlocal',
  '/var/mnt',
  '/var/media',
  '/var/spool',
  '/var/spool/mail',
  '/var/lib',
  '/var/log',
  '/var/tmp',
];

export const BASELINE_TMPFILES = [
  'd /var/home 0755 - - -',
  'd /var/roothome 0700 - - -',
  'd /var/opt 0755 - - -',
  'd /var/srv 0755 - - -',
  'd /var/usrlocal 0755 - - -',
  'd /var/usrlocal/bin 0755 - - -',
  'd /var/mnt 0755 - - -',
  'd /var/spool 0755 - - -',
  'd /var/spool/mail 0775 - - -',
  'd /var/lib 0755 - - -',
  'd /var/log 0755 - - -',
  'd /var/tmp 1777 - - -',
  '',
].join('\n');

/** Exit 65 = "some lines had errors" (unknown users etc.), tolerated as Anaconda does. */
const TMPFILES_OK = [65, 73];

export async function createVarSkeleton(
  sysroot: string,
  osname: string,
  deployment: string,
  mounts: MountStack,
): Promise<void> {
  const stateVar = join(sysroot, 'ostree', 'deploy', osname, 'var');
  const deployVar = join(deployment, 'var');
  await mounts.mount(stateVar, deployVar, { bind: true });
  try {
    const prefixes = VAR_PREFIXES.flatMap((p) => ['--prefix', p]);
    await run('systemd-tmpfiles', ['--create', '--boot', `--root=${deployment}`, ...prefixes], {
      okExitCodes: TMPFILES_OK,
    });
    await run('systemd-tmpfiles', ['--create', '--boot', `--root=${deployment}`, '-'], {
      input: BASELINE_TMPFILES,
      okExitCodes: TMPFILES_OK,
    });
  } finally {
    await mounts.unmount(deployVar);
  }
}
