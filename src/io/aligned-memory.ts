/**
 * Page-aligned buffers, for the blocks an install writes with O_DIRECT (which needs the memory
 * address, offset and length aligned to the device's block size). A Buffer's address cannot be
 * chosen from JavaScript; a WebAssembly.Memory's can in effect: V8 maps it as whole pages, so it
 * starts on a page boundary. Nothing depends on that for correctness: a direct write the kernel
 * refuses as misaligned (EINVAL) is redone as an ordinary write.
 */
const PAGE = 4096;
const WASM_PAGE = 64 * 1024;
const alignedStores = new WeakSet<ArrayBufferLike>();

/** The one part of the WebAssembly API used here (the project's TypeScript libs omit it). */
interface WasmMemoryApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => {
    buffer: ArrayBuffer | SharedArrayBuffer;
  };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmMemoryApi }).WebAssembly;

/**
 * `size` bytes of page-aligned memory; `shared` backs it by a SharedArrayBuffer (for workers).
 * V8 reserves address space around every WebAssembly.Memory; where a limit on it (ulimit -v)
 * refuses that, the memory is ordinary and simply not page-aligned.
 */
export function alignedBuffer(size: number, shared = false): Buffer {
  const pages = Math.max(1, Math.ceil(size / WASM_PAGE));
  let memory: { buffer: ArrayBuffer | SharedArrayBuffer };
  try {
    memory = new wasm.Memory({ initial: pages, maximum: pages, shared });
  } catch {
    return shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.alloc(size);
  }
  alignedStores.add(memory.buffer);
  return Buffer.from(memory.buffer, 0, size);
}

/** True when `buf` lies in memory from alignedBuffer and its start and length are page multiples. */
export function isPageAligned(buf: Buffer): boolean {
  return buf.length % PAGE === 0 && buf.byteOffset % PAGE === 0 && alignedStores.has(buf.buffer);
}
