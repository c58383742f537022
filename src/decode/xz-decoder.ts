/**
 * Strict xz decoding on liblzma (node-liblzma's native engine, driven directly so that we
 * see liblzma's own status codes and consumed byte counts). It decodes synchronously, on the
 * decoder worker thread (decoder-worker.ts), straight into the slots of the shared ring.
 * Truncation is liblzma's LZMA_BUF_ERROR at LZMA_FINISH. Bytes after a complete stream make
 * liblzma fail; we tell that case apart from corruption by finding a valid (CRC-checked)
 * stream footer just before the failing bytes.
 */
import zlib from 'node:zlib';
import * as lzma from 'node-liblzma';
import { UserError } from '../errors.js';
import { type SlotOutput, type SyncCodec, trailingError, truncatedError } from './codec.js';

interface NativeEngine {
  codeSync(
    flush: number,
    input: Buffer,
    inOff: number,
    inLen: number,
    out: Buffer,
    outOff: number,
  ): [number, number, number];
  close(): void;
}

const WINDOW = 4096;
const EMPTY = Buffer.alloc(0);
const LZMA_RUN = lzma.LZMA_RUN;
const LZMA_FINISH = lzma.LZMA_FINISH;
const LZMA_OK = lzma.LZMA_OK;
const LZMA_STREAM_END = lzma.LZMA_STREAM_END;

/** True when `buf` holds a valid xz stream footer ending at or before an error region. */
export function containsXzFooter(buf: Buffer): boolean {
  for (let p = buf.length - 12; p >= 0; p--) if (isFooterAt(buf, p)) return true;
  return false;
}

function isFooterAt(buf: Buffer, p: number): boolean {
  return (
    buf[p + 10] === 0x59 && buf[p + 11] === 0x5a && zlib.crc32(buf.subarray(p + 4, p + 10)) === buf.readUInt32LE(p)
  );
}

/** True when the last 12 bytes of `buf` are a valid xz stream footer. */
export function endsWithXzFooter(buf: Buffer): boolean {
  return buf.length >= 12 && isFooterAt(buf, buf.length - 12);
}

export class XzCodec implements SyncCodec {
  private readonly engine: NativeEngine;
  /** The last WINDOW input bytes, copied (input is lent), to find a stream footer in. */
  private recent: Buffer = EMPTY;

  constructor(private readonly out: SlotOutput) {
    // The Unxz Transform owns a native liblzma stream decoder; we drive it ourselves.
    this.engine = (lzma.createUnxz() as unknown as { lzma: NativeEngine }).lzma;
  }

  write(chunk: Buffer): void {
    this.run(LZMA_RUN, chunk);
  }

  finish(): void {
    this.run(LZMA_FINISH, EMPTY);
  }

  close(): void {
    try {
      this.engine.close();
    } catch {
      /* already closed */
    }
  }

  private remember(buf: Buffer): void {
    const tail = buf.length > WINDOW ? buf.subarray(buf.length - WINDOW) : buf;
    const joined = Buffer.concat([this.recent, tail]);
    this.recent = joined.length > WINDOW ? joined.subarray(joined.length - WINDOW) : joined;
  }

  private run(flush: number, input: Buffer): void {
    let inOff = 0;
    for (;;) {
      const space = this.out.space();
      const availIn = input.length - inOff;
      const [errno, availInAfter, availOutAfter] = this.engine.codeSync(flush, input, inOff, availIn, space, 0);
      const produced = space.length - availOutAfter;
      if (produced > 0) this.out.produced(produced);
      const consumed = availIn - availInAfter;
      if (errno !== LZMA_OK && errno !== LZMA_STREAM_END) {
        this.remember(input.subarray(inOff, inOff + Math.max(consumed, 0) + 16));
        throw this.failure(errno, flush);
      }
      this.remember(input.subarray(inOff, inOff + consumed));
      inOff += consumed;
      if (errno === LZMA_STREAM_END) {
        // liblzma accepts stream padding (zero bytes) after a stream; we do not.
        if (inOff < input.length || !endsWithXzFooter(this.recent)) throw trailingError();
        return;
      }
      if (flush === LZMA_FINISH) {
        if (availOutAfter === 0 || consumed > 0) continue;
        throw this.failure(lzma.LZMA_BUF_ERROR, flush);
      }
      if (availOutAfter === 0 || inOff < input.length) continue;
      return;
    }
  }

  private failure(errno: number, flush: number): Error {
    if (errno === lzma.LZMA_DATA_ERROR || errno === lzma.LZMA_BUF_ERROR) {
      // Garbage or stray padding after a complete stream, versus a damaged/short stream.
      if (containsXzFooter(this.recent)) return trailingError();
      if (errno === lzma.LZMA_BUF_ERROR && flush === LZMA_FINISH) return truncatedError();
      return new UserError('xz data error: the compressed stream is corrupt');
    }
    if (errno === lzma.LZMA_FORMAT_ERROR) return new UserError('xz format not recognized');
    if (errno === lzma.LZMA_MEM_ERROR || errno === lzma.LZMA_MEMLIMIT_ERROR) {
      return new UserError('xz decoder out of memory');
    }
    if (errno === lzma.LZMA_OPTIONS_ERROR) return new UserError('xz stream uses unsupported options');
    return new UserError(`xz decoder error ${errno}`);
  }
}
