/**
 * One xz stream of an initrd, decoded incrementally with liblzma's WebAssembly build (shipped in
 * node-liblzma). The native binding always decodes in LZMA_CONCATENATED mode, which runs on into a
 * following xz archive and cannot say where the first stream ended; the WebAssembly decoder is
 * initialised without that flag, so liblzma itself returns LZMA_STREAM_END at the stream's end
 * and the unused input is exact. liblzma checks the block checks, index and footer.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WasmLzmaStream, code, initModule, type getModule } from 'node-liblzma/wasm';
import createLZMA from 'node-liblzma/wasm/liblzma.js';
import { UserError } from '../errors.js';
import { truncated, type MemberDecoder, type MemberOutput, type MemberStep } from './member-decoder.js';

const LZMA_RUN = 0;
const LZMA_OK = 0;
const LZMA_STREAM_END = 1;
const IN_SIZE = 256 * 1024;
const OUT_SIZE = 1024 * 1024;
/** Decoder memory limit: xz -9 needs 65 MiB; a hostile header asking for a 1.5 GiB dictionary fails. */
export const XZ_MEMLIMIT = 256 * 1024 * 1024;

type Module = ReturnType<typeof getModule>;
/** The build takes the 64-bit memlimit as two 32-bit halves (low, high). */
type StreamDecoderInit = (strm: number, memlimitLow: number, memlimitHigh: number, flags: number) => number;

let loading: Promise<Module> | undefined;

/** Loads the WebAssembly module once (its default loader fetches, which fails on file: URLs). */
export function loadXzWasm(): Promise<Module> {
  loading ??= initModule(async () => {
    const wasm = fileURLToPath(new URL('liblzma.wasm', import.meta.resolve('node-liblzma/wasm/liblzma.js')));
    return createLZMA({ wasmBinary: readFileSync(wasm) }) as Promise<Module>;
  });
  return loading;
}

function xzError(ret: number): UserError {
  switch (ret) {
    case 5:
      return new UserError('xz decoder out of memory');
    case 6:
      return new UserError(`xz stream needs more than ${XZ_MEMLIMIT / 1024 / 1024} MiB of memory to decode`);
    case 7:
      return new UserError('xz format not recognized');
    case 8:
      return new UserError('xz stream uses unsupported options');
    case 9:
    case 10:
      return new UserError('xz data error: the compressed stream is corrupt');
    default:
      return new UserError(`xz decoder error ${ret}`);
  }
}

export class XzMember implements MemberDecoder {
  private m: Module | undefined;
  private strm: WasmLzmaStream | undefined;
  private inPtr = 0;
  private outPtr = 0;

  private async init(): Promise<Module> {
    if (this.m) return this.m;
    const m = await loadXzWasm();
    this.strm = new WasmLzmaStream(m);
    this.inPtr = m._malloc(IN_SIZE);
    this.outPtr = m._malloc(OUT_SIZE);
    this.m = m;
    // An Emscripten export: a plain function that does not use `this`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const init = m._lzma_stream_decoder as unknown as StreamDecoderInit;
    const ret = init(this.strm.ptr, XZ_MEMLIMIT, 0, 0);
    if (ret !== LZMA_OK) throw xzError(ret);
    return m;
  }

  async write(chunk: Buffer, out: MemberOutput): Promise<MemberStep> {
    const m = await this.init();
    const strm = this.strm!;
    let p = 0;
    while (p < chunk.length) {
      const n = Math.min(IN_SIZE, chunk.length - p);
      m.HEAPU8.set(chunk.subarray(p, p + n), this.inPtr);
      strm.setInput(this.inPtr, n);
      for (;;) {
        strm.setOutput(this.outPtr, OUT_SIZE);
        const ret = code(strm, LZMA_RUN);
        const produced = OUT_SIZE - strm.availOut;
        // A view of the heap, valid during the `out` call only (the next code() call reuses it).
        if (produced > 0) out(Buffer.from(m.HEAPU8.buffer, m.HEAPU8.byteOffset + this.outPtr, produced));
        if (ret === LZMA_STREAM_END) return { used: p + n - strm.availIn, done: true };
        if (ret !== LZMA_OK) throw xzError(ret);
        if (strm.availIn === 0 && strm.availOut > 0) break;
      }
      p += n;
    }
    return { used: p, done: false };
  }

  finish(): void {
    throw truncated();
  }

  close(): void {
    const m = this.m;
    if (!m) return;
    this.m = undefined;
    m._lzma_end(this.strm!.ptr);
    this.strm!.free();
    m._free(this.inPtr);
    m._free(this.outPtr);
  }
}
