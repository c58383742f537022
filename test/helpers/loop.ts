/**
 * Loop devices for tests: attach with partition scanning (+ partx -a,
 * since partition nodes do not always appear by themselves), always detach by name.
 */
import { output, run } from '../../src/exec/run.js';

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

export async function withLoopDevice<T>(file: string, opts: LoopOptions, fn: (dev: string) => Promise<T>): Promise<T> {
  const dev = await attachLoop(file, opts);
  try {
    return await fn(dev);
  } finally {
    await detachLoop(dev);
  }
}
