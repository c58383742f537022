/** A loop disk with a partition worth saving, for install failure and fault tests. */
import { createHash, randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../src/exec/run.js';

const MIB = 1024 * 1024;

export interface SavedPartitionDisk {
  file: string;
  dev: string;
  /** sha256 of the 4 MiB of random data in partition 2. */
  dataHash: string;
}

/** GPT with partition 1 "old" and partition 2 "data" (random bytes) at `dataMiB`; always detached. */
export async function withSavedPartitionDisk<T>(
  dir: string,
  sizes: { sizeMiB: number; dataMiB: number },
  fn: (disk: SavedPartitionDisk) => Promise<T>,
): Promise<T> {
  const file = join(dir, `disk-${randomBytes(4).toString('hex')}.img`);
  await run('truncate', ['-s', `${sizes.sizeMiB}M`, file]);
  await run('sgdisk', ['-n1:0:+4M', '-c1:old', `-n2:${sizes.dataMiB * 2048}:+4M`, '-c2:data', file]);
  const data = randomBytes(4 * MIB);
  const handle = await open(file, 'r+');
  await handle.write(data, 0, data.length, sizes.dataMiB * MIB);
  await handle.close();
  const dev = (await run('losetup', ['--show', '-f', file])).stdout.trim();
  try {
    return await fn({ file, dev, dataHash: createHash('sha256').update(data).digest('hex') });
  } finally {
    await run('losetup', ['-d', dev]).catch(() => undefined);
    await rm(file, { force: true });
  }
}
