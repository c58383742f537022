/** Test helpers: mount an installed disk image read-write, and look for leaked loops/mounts. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { output, run } from '../../../src/exec/run.js';

export async function withInstalledImage<T>(
  file: string,
  sectorSize: 512 | 4096,
  fn: (sysroot: string, device: string) => Promise<T>,
): Promise<T> {
  const dev = await output('losetup', ['--find', '--show', '--sector-size', String(sectorSize), file]);
  const dir = await mkdtemp(join(tmpdir(), 'ost-inspect-'));
  const sysroot = join(dir, 'sysroot');
  const mounted: string[] = [];
  try {
    await run('partx', ['-a', dev], { okExitCodes: [1] });
    await run('mkdir', ['-p', sysroot]);
    await run('mount', [`${dev}p4`, sysroot]);
    mounted.push(sysroot);
    await run('mount', [`${dev}p3`, join(sysroot, 'boot')]);
    mounted.push(join(sysroot, 'boot'));
    return await fn(sysroot, dev);
  } finally {
    for (const m of mounted.reverse()) await run('umount', [m]).catch(() => run('umount', ['-l', m]));
    await run('partx', ['-d', dev], { okExitCodes: [1] }).catch(() => undefined);
    await run('losetup', ['-d', dev]);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Loop devices backed by this file (should be none after an install). */
export async function loopsOf(file: string): Promise<string> {
  return output('losetup', ['--associated', file]);
}

/**
 * Mount points left behind under the work dirs of the installs whose reporter lines are given
 * (the mount step names its sysroot), so concurrent installs by other processes do not count.
 */
export async function installerMounts(lines: readonly string[]): Promise<string[]> {
  const dirs = lines
    .map((l) => /^Mounting root and boot filesystems at (\S+)$/.exec(l)?.[1])
    .filter((d): d is string => Boolean(d));
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const points = info.split('\n').map((l) => l.split(' ')[4] ?? '');
  return points.filter((m) => dirs.some((d) => m === d || m.startsWith(`${d}/`)));
}
