/**
 * Strict zstd decoding over zstd-napi's DCtx: a sequence of frames (skippable frames
 * included, as `zstd -dc` accepts); anything between or after frames that is not a frame
 * magic is trailing data; input ending inside a frame is truncation.
 */
import zstdBinding from 'zstd-napi/binding.js';

const { DCtx } = zstdBinding;
import { type Codec, type Emit, isZstdMagic, trailingError, truncatedError } from './codec.js';

/** Output slice size: large slices keep per-call overhead low (measured in scripts/bench). */
export const OUT_SIZE = 1024 * 1024;

export class ZstdCodec implements Codec {
  private dctx = new DCtx();

  /**
   * `output()` gives the buffer the next call decodes into (OUT_SIZE bytes): the worker thread
   * (zstd-worker.ts) hands out slots of its shared ring.
   */
  constructor(private readonly output: () => Buffer) {}

  private inFrame = false;
  /** Bytes after a finished frame, kept until 4 are available to check the next magic. */
  private pending: Buffer = Buffer.alloc(0);

  async write(chunk: Buffer, emit: Emit): Promise<void> {
    let src = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (src.length > 0) {
      if (!this.inFrame) {
        if (src.length < 4) {
          this.pending = Buffer.from(src);
          return;
        }
        if (!isZstdMagic(src)) throw trailingError();
        this.inFrame = true;
      }
      const out = this.output();
      const [ret, produced, consumed] = this.dctx.decompressStream(out, src);
      if (produced > 0) await emit(out.subarray(0, produced));
      src = src.subarray(consumed);
      if (ret === 0) this.inFrame = false;
      else if (consumed === 0 && produced === 0) break;
      else if (src.length === 0 && produced < OUT_SIZE) return;
    }
    // Flush output still held in the context for the current input.
    while (this.inFrame) {
      const out = this.output();
      const [ret, produced] = this.dctx.decompressStream(out, Buffer.alloc(0));
      if (produced > 0) await emit(out.subarray(0, produced));
      if (ret === 0) this.inFrame = false;
      if (produced < OUT_SIZE) break;
    }
  }

  async finish(): Promise<void> {
    if (this.pending.length > 0) throw trailingError();
    if (this.inFrame) throw truncatedError();
  }

  close(): void {
    /* the native context is released by GC */
  }
}
