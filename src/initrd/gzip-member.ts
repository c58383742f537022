/**
 * One gzip member of an initrd, decoded incrementally: our header parsing (gzip-decoder.ts), zlib's
 * streaming raw inflate for the body, then the 8-byte trailer (CRC32, size mod 2^32) checked here.
 * zlib's own gunzip would run on into a following gzip member, which is the next archive.
 */
import zlib from 'node:zlib';
import { UserError } from '../errors.js';
import { gzipHeaderLength } from '../decode/gzip-decoder.js';
import { truncated, type MemberDecoder, type MemberOutput, type MemberStep } from './member-decoder.js';

/** Longest gzip header accepted (FNAME/FCOMMENT are NUL-terminated and otherwise unbounded). */
const MAX_HEADER = 1024 * 1024;

export class GzipMember implements MemberDecoder {
  private phase: 'header' | 'body' | 'trailer' = 'header';
  private inflate: zlib.InflateRaw | undefined;
  private failure: Error | undefined;
  private out: MemberOutput = () => undefined;
  private crc = 0;
  private size = 0;

  async write(chunk: Buffer, out: MemberOutput): Promise<MemberStep> {
    this.out = out;
    let p = 0;
    if (this.phase === 'header') {
      const len = gzipHeaderLength(chunk);
      if (len === undefined) {
        if (chunk.length > MAX_HEADER) throw new UserError('gzip header is too long');
        return { used: 0, done: false };
      }
      p = len;
      this.phase = 'body';
      this.start();
    }
    if (this.phase === 'body' && p < chunk.length) {
      const used = await this.feed(chunk.subarray(p));
      p += used;
      if (p < chunk.length) this.phase = 'trailer';
    }
    if (this.phase === 'trailer') {
      if (chunk.length - p < 8) return { used: p, done: false };
      if (chunk.readUInt32LE(p) !== this.crc >>> 0 || chunk.readUInt32LE(p + 4) !== this.size % 2 ** 32) {
        throw new UserError('gzip CRC mismatch');
      }
      return { used: p + 8, done: true };
    }
    return { used: p, done: false };
  }

  finish(): void {
    throw truncated();
  }

  close(): void {
    this.inflate?.destroy();
  }

  private start(): void {
    const inflate = zlib.createInflateRaw({ chunkSize: 256 * 1024 });
    this.inflate = inflate;
    // Output is drained as zlib produces it (paused mode), so its buffer never fills and zlib
    // never waits on us: each write's callback then means "this input is fully processed".
    inflate.on('readable', () => this.drain());
    inflate.on('error', (err: NodeJS.ErrnoException) => {
      this.failure = err.code === 'Z_BUF_ERROR' ? truncated() : new UserError('gzip data error', { cause: err });
    });
  }

  private drain(): void {
    const inflate = this.inflate!;
    let d: Buffer | null;
    while (!this.failure && (d = inflate.read() as Buffer | null) !== null) {
      this.crc = zlib.crc32(d, this.crc);
      this.size += d.length;
      try {
        this.out(d);
      } catch (e) {
        this.failure = e as Error;
        inflate.destroy();
      }
    }
  }

  /** Inflates `body`; returns the bytes inflate used (fewer than given: the deflate data ended). */
  private feed(body: Buffer): Promise<number> {
    const inflate = this.inflate!;
    const before = inflate.bytesWritten;
    return new Promise<number>((resolve, reject) => {
      const settle = () => {
        this.drain();
        if (this.failure) reject(this.failure);
        else resolve(inflate.bytesWritten - before);
      };
      // Errors and a destroy (our output sink failed) settle it too.
      inflate.once('error', settle);
      inflate.once('close', settle);
      inflate.write(body, () => {
        inflate.off('error', settle);
        inflate.off('close', settle);
        settle();
      });
    });
  }
}
