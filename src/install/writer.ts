/**
 * The streaming writer: the image's first MiB is withheld and
 * a placeholder (zeros, or the saved-partitions table) written first; the rest streams from
 * 1 MiB; only after the whole image is written AND the signature verified is the real first
 * MiB written (merged with saved partitions). The body goes out in 1 MiB blocks; long runs of
 * zero blocks are zeroed by the kernel rather than written (src/disk/zero-runs.ts).
 */
import { UserError, interruptedError } from '../errors.js';
import { detectSectorSize } from '../disk/gpt.js';
import {
  type SavedPartitions,
  collisionError,
  collisionLimit,
  mergeIntoImage,
  overwriteTable,
} from '../disk/saved-partitions.js';
import { type Target, syncTarget, targetSectors, writeAt } from '../disk/target.js';
import { ZERO_MIB, ZeroRuns } from '../disk/zero-runs.js';
import { alignedBuffer } from '../io/aligned-memory.js';
import { DirectWrites } from '../io/direct-writes.js';
import { EarlyWriteback } from '../io/early-writeback.js';
import type { Reporter } from '../report.js';

export const MIB = 1024 * 1024;
// 1 MiB blocks: larger ones keep more decompressed data alive at once (peak RSS).
const BLOCK = MIB;

export interface WriteImageOptions {
  target: Target;
  saved?: SavedPartitions;
  reporter: Reporter;
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
  if (signal?.aborted) throw interruptedError(signal);
}

/**
 * Takes the decoded image chunk by chunk (`consume`), then commits it (`finish`). Chunks are
 * lent: the writer is done with their memory once consume returned or its promise settled
 * (their bytes were copied into its own block or first MiB, or written out), so a decoder may
 * reuse it right after.
 */
export class ImageWriter {
  private readonly firstMiB = Buffer.allocUnsafe(MIB);
  private firstLen = 0;
  private imageSectorSize: number | undefined;
  private position = MIB;
  // Decoded data is gathered into one aligned block at a time, so all-zero blocks are seen whole.
  private readonly block = alignedBuffer(BLOCK);
  private blockLen = 0;
  private readonly zeros: ZeroRuns;
  private readonly writeback: EarlyWriteback;
  private readonly direct: DirectWrites;
  private abandoned = false;
  private readonly limit: number;
  private readonly collision: ReturnType<typeof collisionLimit> | undefined;

  constructor(private readonly opts: WriteImageOptions) {
    const { target, saved } = opts;
    this.collision = saved ? collisionLimit(saved) : undefined;
    this.limit = Math.min(this.collision?.offset ?? Infinity, target.limit ?? Infinity);
    this.zeros = new ZeroRuns(target);
    this.writeback = new EarlyWriteback(() => target.handle.datasync());
    this.direct = new DirectWrites(target);
  }

  /** The next decoded bytes (lent). Returns a promise only when it had to write. */
  consume(chunk: Buffer): Promise<void> | undefined {
    checkAborted(this.opts.signal);
    if (this.firstLen === MIB) {
      // A whole block at a block boundary (the decoders hand on 1 MiB slots) is written from
      // the lender's memory: it stays lent until the returned promise settled.
      if (this.blockLen === 0 && chunk.length === BLOCK) return this.writeBlock(chunk);
      if (this.blockLen + chunk.length < BLOCK) {
        chunk.copy(this.block, this.blockLen);
        this.blockLen += chunk.length;
        return undefined;
      }
    }
    return this.consumeSlowly(chunk);
  }

  private async consumeSlowly(chunk: Buffer): Promise<void> {
    let rest = chunk;
    if (this.firstLen < MIB) {
      const n = rest.copy(this.firstMiB, this.firstLen);
      this.firstLen += n;
      rest = rest.subarray(n);
      if (this.firstLen < MIB) return;
      await this.startBody();
    }
    while (rest.length > 0) {
      const n = rest.copy(this.block, this.blockLen);
      this.blockLen += n;
      rest = rest.subarray(n);
      if (this.blockLen === BLOCK) await this.flush();
    }
  }

  /**
   * Writes what is left, waits for the verdict, and only then writes the real first MiB
   * (merged with saved partitions). Call once every chunk was consumed.
   */
  async finish(verified: () => Promise<void>): Promise<WriteResult> {
    const { target, saved, signal } = this.opts;
    try {
      await this.flush();
      await this.direct.close();
      await this.zeros.drain();
      await this.writeback.settle();
    } catch (err) {
      await this.abandon();
      throw err;
    }
    checkAborted(signal);
    if (this.firstLen < MIB) {
      throw new UserError('decoding first MiB of image', {
        cause: new UserError(`image is only ${this.firstLen} bytes; expected at least 1 MiB`),
      });
    }
    if (MIB > this.limit) throw this.tooBig(MIB);
    // Signature (and digest) first: the real first MiB is written only for a verified image.
    await verified();
    checkAborted(signal);
    await syncTarget(target);
    if (saved) {
      const merged = mergeIntoImage(this.firstMiB, saved, this.opts.reporter);
      await writeAt(target, merged.firstMiB, 0);
      await writeAt(target, merged.backup, merged.backupOffset);
    } else {
      await writeAt(target, this.firstMiB, 0);
    }
    await syncTarget(target);
    return { bytes: this.position, imageSectorSize: this.imageSectorSize };
  }

  /** After a failure: lets background zeroing and writeback end before the table is reset. */
  async abandon(): Promise<void> {
    this.abandoned = true;
    // Closing after a failure; the first error is the one reported.
    await this.direct.close().catch(() => undefined);
    await this.zeros.settle();
    // Closing after a failure; the first error is the one reported.
    await this.writeback.settle().catch(() => undefined);
  }

  /** A chunk still on its way when the install failed must not land after the table reset. */
  private checkNotAbandoned(): void {
    if (this.abandoned) throw new UserError('image writer stopped after a failure');
  }

  private tooBig(end: number): UserError {
    const { collision, opts } = this;
    if (collision && end > collision.offset) return collisionError(collision.entry, collision.offset);
    return new UserError(`image is larger than the destination ${opts.target.path} (${opts.target.limit} bytes)`);
  }

  private async startBody(): Promise<void> {
    this.checkNotAbandoned();
    const { target, saved } = this.opts;
    this.imageSectorSize = detectSectorSize(this.firstMiB);
    if (this.imageSectorSize !== undefined && this.imageSectorSize !== target.sectorSize) {
      throw new UserError(
        `source has sector size ${this.imageSectorSize} but destination has sector size ${target.sectorSize}`,
      );
    }
    await writePlaceholder(target, saved);
  }

  private async flush(): Promise<void> {
    if (this.blockLen === 0) return;
    const len = this.blockLen;
    this.blockLen = 0;
    await this.writeBlock(this.block.subarray(0, len));
  }

  /** Writes (or zeroes) one block at the current position. */
  private async writeBlock(data: Buffer): Promise<void> {
    const len = data.length;
    this.checkNotAbandoned();
    if (this.position + len > this.limit) throw this.tooBig(this.position + len);
    if (len === BLOCK && data.equals(ZERO_MIB)) {
      await this.zeros.add(this.position, len);
    } else {
      await this.zeros.close();
      this.checkNotAbandoned();
      if (!(await this.direct.write(data, this.position))) {
        this.checkNotAbandoned();
        await writeAt(this.opts.target, data, this.position);
      }
      this.writeback.wrote(len);
    }
    this.position += len;
  }
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
