/**
 * Loop devices for tests and image preparation: attach with partition scanning (+ partx -a,
 * since partition nodes do not always appear by themselves), always detach by name.
 */
import { output, run } from '../exec/run.js';

export interface LoopOptions {
  sectorSize?: number;
  readOnly?: boolean;
}

export async function attachLoop(file: string, opts: LoopOptions = {}): Promise<string> {
  const args = ['--show', '-f', '-P'];
  if (opts.sectorSize && opts.sectorSize !== 512) args.push('--sector-size', String(opts.sectorSize));
  if (opts.readOnly) args.push('-r');
  const dev = await output('losetup', [...args, file]);
  await run('partx', ['-a', dev]).catch(() => undefined); // already added by -P is fine
  return dev;
}

export async function detachLoop(dev: string): Promise<void> {
  await run('partx', ['-d', dev]).catch(() => undefined);
  await run('losetup', ['-d', dev]);
}

/**
 * Re-reads the partition table of a block device so partition nodes match the new table
 * (BLKRRPART). Devices that refuse it (a loop device without partition scanning) are left
 * alone: partx -a/-u there would add partitions that outlive the loop device (the kernel
 * drops them on detach only for partscan loops).
 */
export async function rereadPartitions(dev: string): Promise<void> {
  await run('blockdev', ['--rereadpt', dev]).catch(() => undefined);
  await run('udevadm', ['settle']).catch(() => undefined);
}

export async function withLoopDevice<T>(file: string, opts: LoopOptions, fn: (dev: string) => Promise<T>): Promise<T> {
  const dev = await attachLoop(file, opts);
  try {
    return await fn(dev);
  } finally {
    await detachLoop(dev);
  }
}
