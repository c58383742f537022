/**
 * Strict single-member gzip decoding: our own header/trailer parsing around zlib's raw
 * inflate, so we know exactly where the deflate data ends. The trailer's CRC32 and size are
 * checked, and any byte after the 8-byte trailer is an error (unlike zlib's gunzip, which
 * silently skips trailing zeros).
 */
import zlib from 'node:zlib';
import { UserError } from '../errors.js';
import { type Codec, type Emit, trailingError, truncatedError } from './codec.js';

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

/** Length of a complete gzip header in `buf`, or undefined if more bytes are needed. */
export function gzipHeaderLength(buf: Buffer): number | undefined {
  if (buf.length < 10) return undefined;
  if (buf[0] !== 0x1f || buf[1] !== 0x8b) throw new UserError('not a gzip stream');
  if (buf[2] !== 8) throw new UserError(`unsupported gzip compression method ${buf[2]}`);
  const flags = buf[3]!;
  let pos = 10;
  if (flags & FEXTRA) {
    if (buf.length < pos + 2) return undefined;
    pos += 2 + buf.readUInt16LE(pos);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (flags & flag) {
      const nul = buf.indexOf(0, pos);
      if (nul < 0) return undefined;
      pos = nul + 1;
    }
  }
  if (flags & FHCRC) pos += 2;
  return buf.length >= pos ? pos : undefined;
}

export class GzipCodec implements Codec {
  private header: Buffer | undefined = Buffer.alloc(0);
  private inflate: zlib.InflateRaw | undefined;
  private ended = false;
  private failure: Error | undefined;
  private crc = 0;
  private size = 0;
  private emit: Emit = () => undefined;
  /** Input fed to inflate but possibly not yet consumed: needed to find the trailer. */
  private fed: Array<{ buf: Buffer; start: number }> = [];
  private fedTotal = 0;
  private tail: Buffer[] = [];
  private tailLen = 0;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];

  async write(lentChunk: Buffer, emit: Emit): Promise<void> {
    this.emit = emit;
    // The input is lent, but zlib and the trailer search hold on to it past this call.
    const chunk = Buffer.from(lentChunk);
    let body = chunk;
    if (this.header) {
      const buf = Buffer.concat([this.header, chunk]);
      const len = gzipHeaderLength(buf);
      if (len === undefined) {
        this.header = buf;
        return;
      }
      this.header = undefined;
      this.start();
      body = buf.subarray(len);
    }
    if (body.length === 0) return;
    if (this.ended) return this.addTail(body);
    return this.feed(body);
  }

  async finish(emit: Emit): Promise<void> {
    this.emit = emit;
    if (this.header) throw truncatedError();
    if (!this.ended) {
      if (this.failure) throw this.failure;
      const inflate = this.inflate!;
      await new Promise<void>((resolve, reject) => {
        this.waiters.push({ resolve, reject });
        inflate.end();
      });
      if (!this.ended) throw truncatedError();
    }
    if (this.tailLen < 8) throw truncatedError();
    if (this.tailLen > 8) throw trailingError();
    const trailer = Buffer.concat(this.tail, this.tailLen);
    if (trailer.readUInt32LE(0) !== this.crc >>> 0 || trailer.readUInt32LE(4) !== this.size % 2 ** 32) {
      throw new UserError('gzip checksum mismatch: the compressed stream is corrupt');
    }
  }

  close(): void {
    this.inflate?.destroy();
  }

  private start(): void {
    const inflate = zlib.createInflateRaw({ chunkSize: 128 * 1024 });
    this.inflate = inflate;
    inflate.on('data', (d: Buffer) => {
      this.crc = zlib.crc32(d, this.crc);
      this.size += d.length;
      const full = this.emit(d);
      if (full) {
        inflate.pause();
        full.then(
          () => inflate.resume(),
          (err: unknown) => {
            // The reader failed: stop, and fail the write waiting on this output.
            this.failure ??= err instanceof Error ? err : new Error(String(err));
            inflate.destroy();
            this.settle();
          },
        );
      }
    });
    inflate.on('end', () => {
      this.ended = true;
      // Everything fed beyond what inflate consumed is the trailer (and maybe trailing data).
      const consumed = inflate.bytesWritten;
      for (const { buf, start } of this.fed) {
        if (start + buf.length > consumed) this.pushTail(buf.subarray(Math.max(0, consumed - start)));
      }
      this.fed = [];
      this.settle();
    });
    inflate.on('error', (err: NodeJS.ErrnoException) => {
      this.failure = err.code === 'Z_BUF_ERROR' ? truncatedError() : new UserError('gzip data error', { cause: err });
      this.settle();
    });
  }

  private feed(body: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const inflate = this.inflate!;
    const consumed = inflate.bytesWritten;
    while (this.fed.length > 0 && this.fed[0]!.start + this.fed[0]!.buf.length <= consumed) this.fed.shift();
    this.fed.push({ buf: body, start: this.fedTotal });
    this.fedTotal += body.length;
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      inflate.write(body, () => this.settle());
    });
  }

  private addTail(body: Buffer): void {
    this.pushTail(body);
    if (this.tailLen > 8) throw trailingError();
  }

  private pushTail(buf: Buffer): void {
    if (buf.length === 0) return;
    this.tail.push(buf);
    this.tailLen += buf.length;
  }

  private settle(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      if (this.failure) w.reject(this.failure);
      else w.resolve();
    }
  }
}
