/**
 * The streaming writer (reference §3.2, made stricter): the image's first MiB is withheld and
 * a placeholder (zeros, or the saved-partitions table) written first; the rest streams from
 * 1 MiB; only after the whole image is written AND the signature verified is the real first
 * MiB written (merged with saved partitions). The body goes out in 1 MiB blocks; long runs of
 * zero blocks are zeroed by the kernel rather than written (src/disk/zero-runs.ts).
 */
import type { Readable } from 'node:stream';
import { UserError } from '../errors.js';
import { detectSectorSize } from '../disk/gpt.js';
import { type SavedPartitions, collisionError, collisionLimit, mergeIntoImage, overwriteTable } from '../disk/saved-partitions.js';
import { type Target, syncTarget, targetSectors, writeAt } from '../disk/target.js';
import { ZERO_MIB, ZeroRuns } from '../disk/zero-runs.js';
import { EarlyWriteback } from '../io/early-writeback.js';
import type { Reporter } from '../report.js';

export const MIB = 1024 * 1024;
// 1 MiB blocks: larger ones keep more decompressed data alive at once (peak RSS).
const BLOCK = MIB;

export interface WriteImageOptions {
  target: Target;
  saved?: SavedPartitions;
  reporter: Reporter;
  /** Resolves once the signature (and any listed digest) verified; rejects otherwise. */
  verified: () => Promise<void>;
  signal?: AbortSignal;
}

export interface WriteResult {
  bytes: number;
  imageSectorSize?: number;
}

/** Zeros (or the saved-only table) over the first MiB, so a half-written disk never boots. */
export async function writePlaceholder(target: Target, saved: SavedPartitions | undefined): Promise<void> {
  const placeholder = Buffer.alloc(Math.min(MIB, target.limit ?? MIB));
  if (saved) {
    const table = overwriteTable(target.sectorSize, targetSectors(target), saved);
    table.head.copy(placeholder, 0, 0, Math.min(table.head.length, placeholder.length));
    const savedStart = collisionLimit(saved).offset;
    await writeAt(target, placeholder.subarray(0, Math.min(placeholder.length, savedStart)), 0);
    await writeAt(target, table.backup, table.backupOffset);
  } else {
    await writeAt(target, placeholder, 0);
  }
  await syncTarget(target);
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new UserError(`interrupted by ${String(signal.reason ?? 'signal')}`);
}

export async function writeImage(input: Readable, opts: WriteImageOptions): Promise<WriteResult> {
  const { target, saved, signal } = opts;
  const collision = saved ? collisionLimit(saved) : undefined;
  const limit = Math.min(collision?.offset ?? Infinity, target.limit ?? Infinity);
  const tooBig = (end: number): UserError => {
    if (collision && end > collision.offset) return collisionError(collision.entry, collision.offset);
    return new UserError(`image is larger than the destination ${target.path} (${target.limit} bytes)`);
  };
  let first: Buffer[] = [];
  let firstLen = 0;
  let firstMiB: Buffer | undefined;
  let imageSectorSize: number | undefined;
  let position = MIB;
  // Decoded data is gathered into one aligned block at a time, so all-zero blocks are seen whole.
  const block = Buffer.allocUnsafe(BLOCK);
  let blockLen = 0;
  const zeros = new ZeroRuns(target);
  const writeback = new EarlyWriteback(() => target.handle.datasync());

  const flush = async () => {
    if (blockLen === 0) return;
    const len = blockLen;
    blockLen = 0;
    if (position + len > limit) throw tooBig(position + len);
    if (len === BLOCK && block.equals(ZERO_MIB)) {
      await zeros.add(position, len);
    } else {
      await zeros.close();
      await writeAt(target, block.subarray(0, len), position);
      writeback.wrote(len);
    }
    position += len;
  };

  const startBody = async (head: Buffer) => {
    imageSectorSize = detectSectorSize(head);
    if (imageSectorSize !== undefined && imageSectorSize !== target.sectorSize) {
      throw new UserError(`source has sector size ${imageSectorSize} but destination has sector size ${target.sectorSize}`);
    }
    await writePlaceholder(target, saved);
  };

  const onAbort = () => input.destroy(new UserError(`interrupted by ${String(signal?.reason ?? 'signal')}`));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    checkAborted(signal);
    for await (const raw of input) {
      checkAborted(signal);
      let chunk = raw as Buffer;
      if (!firstMiB) {
        const need = MIB - firstLen;
        first.push(chunk.subarray(0, need));
        firstLen += Math.min(need, chunk.length);
        chunk = chunk.subarray(Math.min(need, chunk.length));
        if (firstLen < MIB) continue;
        firstMiB = Buffer.concat(first, MIB);
        first = [];
        await startBody(firstMiB);
      }
      while (chunk.length > 0) {
        const n = chunk.copy(block, blockLen);
        blockLen += n;
        chunk = chunk.subarray(n);
        if (blockLen === BLOCK) await flush();
      }
    }
    await flush();
    await zeros.drain();
    await writeback.settle();
  } catch (err) {
    await zeros.settle();
    await writeback.settle().catch(() => undefined);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  checkAborted(signal);
  if (!firstMiB) {
    throw new UserError('decoding first MiB of image', { cause: new UserError(`image is only ${firstLen} bytes; expected at least 1 MiB`) });
  }
  if (MIB > limit) throw tooBig(MIB);
  // Signature (and digest) first: the real first MiB is written only for a verified image.
  await opts.verified();
  checkAborted(signal);
  await syncTarget(target);
  if (saved) {
    const merged = mergeIntoImage(firstMiB, saved, opts.reporter);
    await writeAt(target, merged.firstMiB, 0);
    await writeAt(target, merged.backup, merged.backupOffset);
  } else {
    await writeAt(target, firstMiB, 0);
  }
  await syncTarget(target);
  return { bytes: position, imageSectorSize };
}

/** Failure path: replace the table by one holding only the saved partitions (or none). */
export async function resetPartitionTable(target: Target, saved: SavedPartitions | undefined): Promise<void> {
  if (target.size < 2 * MIB) {
    await writeAt(target, Buffer.alloc(Math.min(MIB, target.size)), 0);
    await syncTarget(target);
    return;
  }
  await writePlaceholder(target, saved);
  if (!saved) {
    const table = overwriteTable(target.sectorSize, targetSectors(target));
    await writeAt(target, table.head, 0);
    await writeAt(target, table.backup, table.backupOffset);
    await syncTarget(target);
  }
}
