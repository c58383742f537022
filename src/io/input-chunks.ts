/**
 * Command input as a stream of chunks: a named file (read through one fd in fixed-size reads) or
 * stdin. I/O errors carry the same context as readInputFile's ("reading initrd 'x'").
 */
import { open } from 'node:fs/promises';
import { withContext } from '../errors.js';

const CHUNK = 1024 * 1024;

export interface ChunkOptions {
  /**
   * Alternate between two read buffers instead of allocating one per read (GiB-sized inputs then
   * leave no garbage behind). Only for consumers done with a chunk once they ask for the next but
   * one, as the streaming initrd reader is (it copies what it keeps).
   */
  reuse?: boolean;
}

export async function* inputChunks(path: string | undefined, what: string, opts: ChunkOptions = {}): AsyncGenerator<Buffer> {
  if (path === undefined || path === '-') {
    const it = process.stdin[Symbol.asyncIterator]();
    for (;;) {
      const r = await withContext(it.next(), `reading ${what} from stdin`);
      if (r.done) return;
      yield r.value as Buffer;
    }
  }
  const context = `reading ${what} '${path}'`;
  const fh = await withContext(open(path, 'r'), context);
  try {
    const ring = opts.reuse ? [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)] : undefined;
    for (let i = 0; ; i++) {
      // Else a fresh buffer each time: consumers may keep slices of what they were given.
      const buf = ring ? ring[i % 2]! : Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await withContext(fh.read(buf, 0, CHUNK, null), context);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
