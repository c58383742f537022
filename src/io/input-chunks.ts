/**
 * Command input as a stream of chunks: a named file (read through one fd in fixed-size reads) or
 * stdin. I/O errors carry the same context as readInputFile's ("reading initrd 'x'").
 */
import { open } from 'node:fs/promises';
import { withContext } from '../errors.js';

const CHUNK = 1024 * 1024;

export async function* inputChunks(path: string | undefined, what: string): AsyncGenerator<Buffer> {
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
    for (;;) {
      // A fresh buffer each time: consumers may keep slices of what they were given.
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await withContext(fh.read(buf, 0, CHUNK, null), context);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
