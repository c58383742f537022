/**
 * Command input as a stream of chunks: a named file (readFileChunks, keeping the latest two
 * chunks valid) or stdin. I/O errors carry the same context as readInputFile's
 * ("reading initrd 'x'"). A file's chunks are lent: a consumer copies what it keeps past the
 * chunk after next (the streaming initrd reader does).
 */
import { UserError, withContext } from '../errors.js';
import { readFileChunks } from './file-chunks.js';

export async function* inputChunks(path: string | undefined, what: string): AsyncGenerator<Buffer> {
  if (path === undefined || path === '-') {
    const it = process.stdin[Symbol.asyncIterator]();
    for (;;) {
      const r = await withContext(it.next(), `reading ${what} from stdin`);
      if (r.done) return;
      yield r.value as Buffer;
    }
  }
  try {
    yield* readFileChunks(path, { keep: 2 });
  } catch (err) {
    throw new UserError(`reading ${what} '${path}'`, { cause: err });
  }
}
