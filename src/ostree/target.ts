/**
 * The install target: a block device as given, or a regular image file that we attach to a
 * loop device (root needed). Partition nodes are made with `partx` because `losetup -P` creates
 * none on kernels without the GPT parser. Everything attached here is detached in release().
 */
import { constants } from 'node:fs';
import { access, open, stat, unlink } from 'node:fs/promises';
import { UserError, UsageError } from '../errors.js';
import { output, run } from '../exec/run.js';
import type { Reporter } from '../report.js';
import { blockSectorSize } from '../disk/target.js';
import { partitionNode } from './layout.js';

export interface InstallTarget {
  /** Block device the installer writes to (the loop device for image files). */
  device: string;
  /** The path the user gave. */
  given: string;
  /** True for a regular file attached to a loop device. */
  isImageFile: boolean;
  /** True when the image file did not exist before this run. */
  createdFile: boolean;
  sectorSize: 512 | 4096;
  /** Re-reads the partition table into kernel partition nodes. */
  rescan(): Promise<void>;
  /** Removes partition nodes (loop targets) and detaches the loop device. Idempotent. */
  release(): Promise<void>;
}

export interface TargetOptions {
  /** Size for a new (or too small) image file, in bytes. */
  destSize?: number;
  /** Logical sector size for an image file; block devices report their own. */
  sectorSize?: 512 | 4096;
}

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(() => true, () => false);
}

/** Makes partition nodes appear for the current table; tolerant of nodes that already exist. */
export async function rescanPartitions(device: string): Promise<void> {
  // -u updates what the kernel knows; -a adds what it lacks. Either may "fail" harmlessly.
  await run('partx', ['-u', device], { okExitCodes: [1] });
  await run('partx', ['-a', device], { okExitCodes: [1] });
  const table = await output('partx', ['-g', '-o', 'NR', device], { okExitCodes: [1] });
  for (const nr of table.split('\n').map((s) => s.trim()).filter(Boolean)) {
    const node = partitionNode(device, Number(nr));
    for (let i = 0; i < 50 && !(await exists(node)); i++) await new Promise((r) => setTimeout(r, 100));
    if (!(await exists(node))) throw new UserError(`partition node ${node} did not appear after partx -a ${device}`);
  }
}

export async function openTarget(path: string, options: TargetOptions, reporter: Reporter): Promise<InstallTarget> {
  // Absent or unreadable: treated as not there.
  const info = await stat(path).catch(() => undefined);
  if (info?.isBlockDevice()) {
    if (options.destSize !== undefined) throw new UsageError('--dest-size applies only to an image file target');
    const ssz = await blockSectorSize(path);
    return {
      device: path, given: path, isImageFile: false, createdFile: false,
      sectorSize: ssz === 4096 ? 4096 : 512,
      rescan: () => rescanPartitions(path),
      release: async () => undefined,
    };
  }
  if (info && !info.isFile()) throw new UserError(`${path} is neither a block device nor a regular file`);
  const createdFile = !info;
  if (!info && options.destSize === undefined) {
    throw new UsageError(`${path} does not exist; pass --dest-size to create an image file`);
  }
  if (options.destSize !== undefined && (!info || info.size < options.destSize)) {
    const fh = await open(path, info ? 'r+' : 'wx');
    try { await fh.truncate(options.destSize); } finally { await fh.close(); }
  }
  const sectorSize = options.sectorSize ?? 512;
  let device: string;
  try {
    device = await output('losetup', ['--find', '--show', '--sector-size', String(sectorSize), path]);
  } catch (err) {
    // Best-effort cleanup; the outcome is already decided.
    if (createdFile) await unlink(path).catch(() => undefined);
    throw new UserError(`attaching ${path} to a loop device (root needed)`, { cause: err });
  }
  reporter.info(`Attached ${path} to ${device} (${sectorSize}-byte sectors)`);
  let released = false;
  return {
    device, given: path, isImageFile: true, createdFile, sectorSize,
    rescan: () => rescanPartitions(device),
    async release() {
      if (released) return;
      released = true;
      // Partitions may already be gone.
      await run('partx', ['-d', device], { okExitCodes: [1] }).catch(() => undefined);
      await run('losetup', ['-d', device]);
    },
  };
}
