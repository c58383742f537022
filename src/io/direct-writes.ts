/**
 * Writes whole, page-aligned blocks to an install target with O_DIRECT, through a second
 * descriptor opened on the same file (/proc/self/fd, so it is the inode already checked, not
 * whatever the path names now). The data goes from the decoder's memory to the device without
 * being copied into the page cache: that copy and its writeback take CPU time from the decoder
 * on a small machine, and nothing dirty piles up for the final sync. A block that cannot go
 * this way (unaligned memory, a file system or device that refuses O_DIRECT) is left to the
 * caller's ordinary write; after the first refusal, direct writes stay off.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { type Target, writeError } from '../disk/target.js';
import { isPageAligned } from './aligned-memory.js';

/** O_DIRECT offsets and lengths: a multiple of every logical block size (512, 4096). */
const ALIGN = 4096;

export class DirectWrites {
  private handle: FileHandle | undefined;
  private off = false;

  constructor(private readonly target: Target) {}

  /** Writes `buf` at `position`; false when it was not (or not entirely) written this way. */
  async write(buf: Buffer, position: number): Promise<boolean> {
    if (this.off || position % ALIGN !== 0 || !isPageAligned(buf)) return false;
    const handle = this.handle ?? (await this.open());
    if (!handle) return false;
    let done = 0;
    // From here the target may hold bytes of this run: a failure must take the rollback path.
    this.target.wrote = true;
    try {
      while (done < buf.length) {
        const { bytesWritten } = await handle.write(buf, done, buf.length - done, position + done);
        if (bytesWritten <= 0) return false;
        done += bytesWritten;
      }
    } catch (err) {
      // Misaligned after all (EINVAL): the caller writes the whole block again, buffered.
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw writeError(this.target.path, position + done, err);
      this.off = true;
      return false;
    }
    if (position + buf.length > this.target.size) this.target.size = position + buf.length;
    return true;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.off = true;
    await handle?.close();
  }

  private async open(): Promise<FileHandle | undefined> {
    try {
      this.handle = await open(`/proc/self/fd/${this.target.handle.fd}`, constants.O_WRONLY | constants.O_DIRECT);
    } catch {
      // No O_DIRECT here (tmpfs on older kernels, some FUSE file systems), or no /proc.
      this.off = true;
    }
    return this.handle;
  }
}
