/**
 * The ostree install's target: a block device as given, or a regular image file that we attach to
 * a loop device (root needed), since the deploy formats and mounts its partitions. The target is
 * inspected and checked by the image install's rules (disk/target.ts, disk/target-choice.ts)
 * before anything is created or attached. Partition nodes are made with `partx` because
 * `losetup -P` creates none on kernels without the GPT parser. Everything attached here is
 * detached in release().
 */
import { open, unlink } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { output, run } from '../exec/run.js';
import type { Reporter } from '../report.js';
import { inspectTarget } from '../disk/target.js';
import { checkTargetChoice, holdFileTarget } from '../disk/target-choice.js';
import { formatBytes } from '../report.js';
import { rereadPartitions } from '../disk/partition-nodes.js';

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
  /** The least the layout needs, in bytes: a smaller target is refused before it is touched. */
  minimumBytes: number;
  /** Logical sector size for an image file; block devices report their own. */
  sectorSize?: 512 | 4096;
}

export async function openTarget(path: string, options: TargetOptions, reporter: Reporter): Promise<InstallTarget> {
  const choice = { destSize: options.destSize, destSectorSize: options.sectorSize };
  const facts = await inspectTarget(path, choice);
  await checkTargetChoice(facts, choice);
  // An existing file must look like a disk image (not text, not a filesystem); its lock is held
  // until release, so a second run cannot take it.
  const held = facts.kind === 'file' && facts.exists ? await holdFileTarget(facts) : undefined;
  const existingSize = held ? (await held.handle.stat()).size : 0;
  const size = facts.kind === 'file' ? Math.max(existingSize, options.destSize ?? 0) : facts.size;
  if (size !== undefined && size < options.minimumBytes) {
    await held?.handle.close();
    throw new UserError(
      `${path} is too small (${formatBytes(size)}); this layout needs at least ${formatBytes(options.minimumBytes)}`,
    );
  }
  if (facts.kind === 'block') {
    return {
      device: path,
      given: path,
      isImageFile: false,
      createdFile: false,
      sectorSize: facts.sectorSize === 4096 ? 4096 : 512,
      rescan: () => rereadPartitions(path, { nodes: true }),
      release: async () => undefined,
    };
  }
  const createdFile = !facts.exists;
  const sectorSize = options.sectorSize ?? 512;
  let made = false; // a new file exists at `path` only once this run made it
  let device: string;
  try {
    if (options.destSize !== undefined && (createdFile || existingSize < options.destSize)) {
      const fh = await open(path, createdFile ? 'wx' : 'r+');
      made = createdFile;
      try {
        await fh.truncate(options.destSize);
      } finally {
        await fh.close();
      }
    }
    device = await output('losetup', ['--find', '--show', '--sector-size', String(sectorSize), path]).catch(
      (err: unknown) => {
        throw new UserError(`attaching ${path} to a loop device (root needed)`, { cause: err });
      },
    );
  } catch (err) {
    // Best-effort cleanup; the outcome is already decided.
    if (made) await unlink(path).catch(() => undefined);
    await held?.handle.close();
    throw err;
  }
  reporter.info(`Attached ${path} to ${device} (${sectorSize}-byte sectors)`);
  let released = false;
  return {
    device,
    given: path,
    isImageFile: true,
    createdFile,
    sectorSize,
    rescan: () => rereadPartitions(device, { nodes: true }),
    async release() {
      if (released) return;
      released = true;
      // Partitions may already be gone.
      await run('partx', ['-d', device], { okExitCodes: [1] }).catch(() => undefined);
      try {
        await run('losetup', ['-d', device]);
      } finally {
        await held?.handle.close();
      }
    },
  };
}
