/**
 * Strict zstd decoding over zstd-napi's DCtx: a sequence of frames (skippable frames
 * included, as `zstd -dc` accepts); anything between or after frames that is not a frame
 * magic is trailing data; input ending inside a frame is truncation. zstd-napi decodes
 * synchronously, so this runs on the decoder worker thread (decoder-worker.ts).
 */
import zstdBinding from 'zstd-napi/binding.js';
import { isZstdMagic } from '../formats/compression.js';
import { type SlotOutput, type SyncCodec, trailingError, truncatedError } from './codec.js';

const { DCtx } = zstdBinding;
const EMPTY = Buffer.alloc(0);

export class ZstdCodec implements SyncCodec {
  private dctx = new DCtx();
  private inFrame = false;
  /** Bytes after a finished frame, kept until 4 are available to check the next magic. */
  private pending: Buffer = EMPTY;

  constructor(private readonly out: SlotOutput) {}

  write(chunk: Buffer): void {
    let src = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = EMPTY;
    while (src.length > 0) {
      if (!this.inFrame) {
        if (src.length < 4) {
          this.pending = Buffer.from(src);
          return;
        }
        if (!isZstdMagic(src)) throw trailingError();
        this.inFrame = true;
      }
      const space = this.out.space();
      const [ret, produced, consumed] = this.dctx.decompressStream(space, src);
      if (produced > 0) this.out.produced(produced);
      src = src.subarray(consumed);
      if (ret === 0) this.inFrame = false;
      else if (consumed === 0 && produced === 0) break;
      // Input used up and the context holds no more output for it: wait for more input.
      else if (src.length === 0 && produced < space.length) return;
    }
    // Flush output still held in the context for the current input.
    while (this.inFrame) {
      const space = this.out.space();
      const [ret, produced] = this.dctx.decompressStream(space, EMPTY);
      if (produced > 0) this.out.produced(produced);
      if (ret === 0) this.inFrame = false;
      if (produced < space.length) break;
    }
  }

  finish(): void {
    if (this.pending.length > 0) throw trailingError();
    if (this.inFrame) throw truncatedError();
  }

  close(): void {
    /* the native context is released by GC */
  }
}
