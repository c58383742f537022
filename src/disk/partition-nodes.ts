/**
 * The kernel's partition nodes for a disk: their names, and making them match a table just
 * written. One function serves both installs: the image install only needs the kernel to drop
 * a stale table (BLKRRPART where the device allows it), the ostree install formats and mounts
 * the new partitions, so it also needs their nodes to exist.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.js';
import { output, run } from '../exec/run.js';

/** Kernel name of partition N: sda → sda3, loop0/nvme0n1/mmcblk0 → loop0p3. */
export function partitionNode(device: string, number: number): string {
  return /\d$/.test(device) ? `${device}p${number}` : `${device}${number}`;
}

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
}

export interface RereadOptions {
  /**
   * The caller uses the partitions' nodes: add with partx what BLKRRPART did not (a loop device
   * without partition scanning refuses it) and wait for every node of the table. Only for a
   * device whose partx-added partitions the caller removes (partx -d) before detaching it:
   * on a loop device without partition scanning they would otherwise outlive the loop.
   */
  nodes?: boolean;
}

/**
 * Re-reads the partition table of a block device so partition nodes match the new table
 * (BLKRRPART), then lets udev settle. Devices that refuse BLKRRPART keep their table as is,
 * unless `nodes` asks for them (see RereadOptions).
 */
export async function rereadPartitions(dev: string, opts: RereadOptions = {}): Promise<void> {
  // Devices that refuse BLKRRPART keep their table as is.
  await run('blockdev', ['--rereadpt', dev]).catch(() => undefined);
  // No udev (containers): nothing to wait for.
  await run('udevadm', ['settle']).catch(() => undefined);
  if (!opts.nodes) return;
  // -u updates what the kernel knows; -a adds what it lacks. Either may "fail" harmlessly.
  await run('partx', ['-u', dev], { okExitCodes: [1] });
  await run('partx', ['-a', dev], { okExitCodes: [1] });
  const table = await output('partx', ['-g', '-o', 'NR', dev], { okExitCodes: [1] });
  for (const nr of table
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const node = partitionNode(dev, Number(nr));
    for (let i = 0; i < 50 && !(await exists(node)); i++) await sleep(100);
    if (!(await exists(node))) throw new UserError(`partition node ${node} did not appear after partx -a ${dev}`);
  }
}
