/**
 * The image source opened once, while planning: opening it proves the image exists (a missing
 * file or a 404 is named as a missing image before anything else is asked), and its first MiB
 * is decoded then (sector size, too-small images, undecodable starts are found before the target
 * is opened for writing). The bytes read for that are kept and replayed to the act phase ahead
 * of the rest of the same stream: what was checked is exactly what is verified and written,
 * and a URL is fetched once.
 */
import { type Compression, sniffCompression } from '../formats/compression.js';
import { AutoDecoder } from '../io/auto-decoder.js';
import type { Emit } from '../io/codec.js';
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

  private constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly controller: AbortController,
  ) {}

  /** Opens the source (its errors name the image). */
  static async open(source: ImageSource): Promise<ReplayableImage> {
    const controller = new AbortController();
    const chunks = await source.openChunks(controller.signal);
    return new ReplayableImage(chunks[Symbol.asyncIterator](), controller);
  }

  /** Reads and keeps the next chunk (lent by the source: a copy is kept). */
  private async readKept(): Promise<Buffer | undefined> {
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return undefined;
    }
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
    // Copies what it gets; once the MiB is full, a rejection stops the decoder mid-chunk.
    const emit: Emit = (out) => {
      length += out.copy(head, length);
      return length >= HEAD_BYTES ? Promise.reject(full) : undefined;
    };
    const decoder = new AutoDecoder();
    try {
      while (length < HEAD_BYTES) {
        if (this.keptBytes >= MAX_KEPT) return { bytes: head.subarray(0, length), decided: false, compression: this.compression() };
        const chunk = await this.readKept();
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
        const next = await this.source.next();
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
