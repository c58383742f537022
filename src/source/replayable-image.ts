/**
 * The image source opened once, while planning: opening it proves the image exists (a missing
 * file or a 404 is named as a missing image before anything else is asked), and its first MiB
 * is decoded then (sector size, too-small images, undecodable starts are found before the target
 * is opened for writing). The bytes read for that are kept and replayed to the act phase ahead
 * of the rest of the same stream: what was checked is exactly what is verified and written,
 * and a URL is fetched once.
 */
import { type Compression, sniffCompression } from '../formats/compression.js';
import { AutoDecoder } from '../decode/auto-decoder.js';
import type { Emit } from '../decode/codec.js';
import type { ImageSource } from './image-source.js';

export const HEAD_BYTES = 1024 * 1024;
/** Enough leading bytes to tell gzip, xz, zstd and raw apart. */
const SNIFF_BYTES = 6;
/**
 * Compressed bytes read at most to decode the first MiB. Real images need about that much or
 * far less; a stream that needs more (e.g. a huge zstd skippable frame first) is not held in
 * memory: its head stays undecided here and the writer checks it before its first write.
 */
const MAX_KEPT = 16 * 1024 * 1024;

export interface ImageHead {
  /** The decoded first MiB (shorter when the image is shorter, or when `decided` is false). */
  bytes: Buffer;
  /** False when the first MiB did not decode from the first MAX_KEPT compressed bytes. */
  decided: boolean;
  compression: Compression;
}

export class ReplayableImage {
  private kept: Buffer[] = [];
  private keptBytes = 0;
  private ended = false;
  private replaying = false;
  /** A read of the source not yet consumed. */
  private pending: Promise<IteratorResult<Buffer>> | undefined;

  private constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly controller: AbortController,
  ) {}

  /** Opens the source (its errors name the image); `stop` aborts its reads. */
  static async open(source: ImageSource, stop?: AbortSignal): Promise<ReplayableImage> {
    const controller = new AbortController();
    if (stop?.aborted) controller.abort(stop.reason);
    else stop?.addEventListener('abort', () => controller.abort(stop.reason), { once: true });
    const chunks = await source.openChunks(controller.signal);
    return new ReplayableImage(chunks[Symbol.asyncIterator](), controller);
  }

  /** The source's next chunk; a read still pending (see readHead) is the one returned. */
  private nextFromSource(): Promise<IteratorResult<Buffer>> {
    this.pending ??= this.source.next();
    return this.pending;
  }

  /** Reads and keeps the next chunk (lent by the source: a copy is kept). */
  private async readKept(): Promise<Buffer | undefined> {
    const next = await this.nextFromSource();
    this.pending = undefined;
    if (next.done) {
      this.ended = true;
      return undefined;
    }
    // A read readHead stopped waiting for, completed once the replay began: the replay has it.
    if (this.replaying) return undefined;
    const copy = Buffer.from(next.value);
    this.kept.push(copy);
    this.keptBytes += copy.length;
    return copy;
  }

  /** The format the first kept bytes call for. */
  private compression(): Compression {
    const first: Buffer[] = [];
    let n = 0;
    for (const chunk of this.kept) {
      if (n >= SNIFF_BYTES) break;
      first.push(chunk.subarray(0, SNIFF_BYTES - n));
      n += Math.min(chunk.length, SNIFF_BYTES - n);
    }
    return sniffCompression(Buffer.concat(first));
  }

  /** Decodes the image's first MiB. Call once, before `chunks()`. */
  async readHead(): Promise<ImageHead> {
    const head = Buffer.alloc(HEAD_BYTES);
    let length = 0;
    const full = new Error('first MiB decoded');
    let filled!: () => void;
    const whenFilled = new Promise<'filled'>((resolve) => (filled = () => resolve('filled')));
    // Copies what it gets; once the MiB is full, a rejection stops the decoder mid-chunk.
    const emit: Emit = (out) => {
      length += out.copy(head, length);
      if (length < HEAD_BYTES) return undefined;
      filled();
      return Promise.reject(full);
    };
    const decoder = new AutoDecoder();
    try {
      while (length < HEAD_BYTES) {
        if (this.keptBytes >= MAX_KEPT)
          return { bytes: head.subarray(0, length), decided: false, compression: this.compression() };
        // A decoder on another thread hands its output on later: the MiB may be complete from
        // the input it has while the source waits (a stalled server), so the read is not awaited
        // past that point; the replay picks it up.
        const chunk = await Promise.race([this.readKept(), whenFilled]);
        if (chunk === 'filled') break;
        if (!chunk) {
          await decoder.finish(emit);
          break;
        }
        await decoder.write(chunk, emit);
      }
    } catch (err) {
      // The rejection that stopped the decoder (possibly wrapped by it) once the MiB was full.
      if (length < HEAD_BYTES) throw err;
    } finally {
      decoder.close();
    }
    return { bytes: head.subarray(0, Math.min(length, HEAD_BYTES)), decided: true, compression: this.compression() };
  }

  /**
   * The source's bytes from the first one: the kept chunks, then the rest of the same stream.
   * An abort of `signal` ends a pending read (a stalled server). Call once.
   */
  async *chunks(signal?: AbortSignal): AsyncGenerator<Buffer, void, undefined> {
    if (this.replaying) throw new Error('the image can be replayed only once');
    this.replaying = true;
    const stop = () => this.controller.abort(signal?.reason);
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      for (let chunk = this.kept.shift(); chunk; chunk = this.kept.shift()) yield chunk;
      if (this.ended) return;
      for (;;) {
        const next = await this.nextFromSource();
        this.pending = undefined;
        if (next.done) return;
        yield next.value;
      }
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }

  /** Ends the source (closes the file, drops the connection). */
  async close(): Promise<void> {
    this.kept = [];
    this.controller.abort('closed');
    // Closing the source early; its own errors do not matter any more.
    await this.source.return?.(undefined).catch(() => undefined);
  }
}
