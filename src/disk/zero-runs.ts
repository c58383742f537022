/**
 * Long runs of zero blocks in an image are zeroed by the kernel instead of being written:
 * `fallocate --zero-range` on a block device (the device's WRITE ZEROES, or the kernel writes zero
 * pages itself when it has none) and `--punch-hole` on a file target. Either way the range then
 * reads as zeros, exactly as if written, for a fraction of the disk traffic (a 2 GiB image that
 * is mostly empty space installs at decoder speed). Short runs, and any run whose fallocate
 * fails (old kernel, a filesystem without hole punching), are written as zeros.
 */
import { run } from '../exec/run.js';
import { type Target, writevAt } from './target.js';

export const ZERO_MIB: Readonly<Buffer> = Buffer.alloc(1024 * 1024);
/** Below this, spawning fallocate costs more than writing the zeros. */
export const MIN_OFFLOADED_RUN = 16 * 1024 * 1024;

export class ZeroRuns {
  private start = 0;
  private length = 0;
  /** Offloaded runs complete in order, concurrently with the writes that follow them. */
  private queue: Promise<void> = Promise.resolve();
  private offloadWorks = true;
  private end = 0;

  constructor(
    private readonly target: Target,
    private readonly minOffloaded = MIN_OFFLOADED_RUN,
  ) {}

  /** Records `length` zero bytes at `position`, which must follow the previous run or start one. */
  async add(position: number, length: number): Promise<void> {
    if (this.length > 0 && this.start + this.length !== position) await this.close();
    if (this.length === 0) this.start = position;
    this.length += length;
  }

  /** Ends the current run: offloaded when long, written otherwise. Call before writing data. */
  async close(): Promise<void> {
    const start = this.start;
    const length = this.length;
    this.length = 0;
    if (length === 0) return;
    this.end = Math.max(this.end, start + length);
    if (length < this.minOffloaded || !this.offloadWorks) return writeZeros(this.target, start, length);
    this.queue = this.queue.then(() => this.offload(start, length));
  }

  /** Ends the current run and waits for every offloaded one; a grown file gets its full length. */
  async drain(): Promise<void> {
    await this.close();
    await this.queue;
    if (this.target.kind === 'file' && this.target.size < this.end) {
      await this.target.handle.truncate(this.end);
      this.target.size = this.end;
    }
  }

  /** Waits for offloaded runs on a failure path, without adding to the original error. */
  async settle(): Promise<void> {
    this.length = 0;
    // Waiting for the in-flight write to settle; its error was already reported.
    await this.queue.catch(() => undefined);
  }

  private async offload(start: number, length: number): Promise<void> {
    const mode = this.target.kind === 'block' ? ['--zero-range', '--keep-size'] : ['--punch-hole'];
    try {
      await run('fallocate', [...mode, '--offset', String(start), '--length', String(length), this.target.path]);
    } catch {
      this.offloadWorks = false;
      await writeZeros(this.target, start, length);
    }
  }
}

async function writeZeros(target: Target, start: number, length: number): Promise<void> {
  const PER_CALL = 8;
  for (let pos = start; pos < start + length;) {
    const bufs: Buffer[] = [];
    let n = 0;
    while (bufs.length < PER_CALL && pos + n < start + length) {
      const len = Math.min(ZERO_MIB.length, start + length - pos - n);
      bufs.push(ZERO_MIB.subarray(0, len));
      n += len;
    }
    await writevAt(target, bufs, pos);
    pos += n;
  }
}
