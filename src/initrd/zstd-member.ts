/**
 * One zstd archive of an initrd: consecutive frames (skippable ones included), as upstream reads
 * them; the archive ends where the next bytes are not a frame magic.
 */
import zstdBinding from 'zstd-napi/binding.js';
import { isZstdMagic } from '../formats/compression.js';
import { truncated, type MemberDecoder, type MemberOutput, type MemberStep } from './member-decoder.js';

const OUT_SIZE = 1024 * 1024;

export class ZstdMember implements MemberDecoder {
  private dctx = new zstdBinding.DCtx();
  private inFrame = false;
  /** Reused: output is only valid during the `out` call (bombs would otherwise churn GiBs of buffers). */
  private readonly buf = Buffer.allocUnsafe(OUT_SIZE);

  async write(chunk: Buffer, out: MemberOutput): Promise<MemberStep> {
    let p = 0;
    for (;;) {
      if (!this.inFrame) {
        if (chunk.length - p < 4) return { used: p, done: false };
        if (!isZstdMagic(chunk, p)) return { used: p, done: true };
        this.inFrame = true;
      }
      const buf = this.buf;
      const [ret, produced, consumed] = this.dctx.decompressStream(buf, chunk.subarray(p));
      p += consumed;
      if (produced > 0) out(buf.subarray(0, produced));
      if (ret === 0) this.inFrame = false;
      else if (consumed === 0 && produced === 0) return { used: p, done: false };
      // Input used up and the context holds no more output for it: wait for more input.
      else if (p === chunk.length && produced < OUT_SIZE) return { used: p, done: false };
    }
  }

  finish(): void {
    if (this.inFrame) throw truncated();
  }

  close(): void {
    /* the native context is released by GC */
  }
}
