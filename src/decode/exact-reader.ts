/**
 * Reads exact byte counts from a stream of chunks (a decoder's output): `take(n)` yields
 * exactly n bytes in pieces or fails naming how many it got, `rest(max)` yields what is left
 * but never more than max. Used where a format interleaves a packed stream with other data
 * (osmet files, miniso.dat).
 */
import { Readable } from 'node:stream';
import { UserError } from '../errors.js';
import { createDecompressor } from './decompress.js';
import { chunksOf } from '../io/stream-chunks.js';

export class ExactReader {
  private readonly source: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(chunks: AsyncIterable<Buffer>) {
    this.source = chunks[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    if (this.pending.length > 0) return true;
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.pending = next.value;
    return true;
  }

  /** Exactly `n` bytes, in pieces. */
  async *take(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (!(await this.fill())) throw new UserError(`expected to copy ${n} bytes but instead copied ${n - left} bytes`);
      const piece = this.pending.subarray(0, Math.min(left, this.pending.length));
      this.pending = this.pending.subarray(piece.length);
      left -= piece.length;
      yield piece;
    }
  }

  /** True when bytes are left (waits for the source to end, so its own checks run). */
  async more(): Promise<boolean> {
    return this.fill();
  }

  /** Everything that is left; more than `max` bytes is an error. */
  async *rest(max: number): AsyncGenerator<Buffer> {
    let total = 0;
    while (await this.fill()) {
      const piece = this.pending;
      total += piece.length;
      if (total > max) throw new UserError(`more than ${max} bytes of packed data`);
      this.pending = Buffer.alloc(0);
      yield piece;
    }
  }
}

/** The decoded chunks of a compressed stream (strict: truncation and trailing data fail). */
export async function* decodedChunks(input: Readable): AsyncGenerator<Buffer> {
  const decoder = createDecompressor();
  input.on('error', (err) => decoder.destroy(err));
  input.pipe(decoder);
  try {
    yield* chunksOf(decoder);
  } finally {
    input.destroy();
    decoder.destroy();
  }
}

/** decodedChunks over a buffer. */
export function decodedBufferChunks(data: Buffer): AsyncGenerator<Buffer> {
  return decodedChunks(Readable.from([data]));
}
