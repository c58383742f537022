/**
 * Reads `length` bytes at `position` of a remote file with a Range request: used to read an
 * image's xz index (at the end of the file) before installing it, so that an image too large
 * for its target is refused before the target is written. Returns undefined when the server
 * does not answer the range as asked (no 206, another start, a short body): the caller then
 * knows nothing, as without the request. Every offset and length comes from the caller's
 * bounds check against the file length the server announced.
 */
import { type HttpGetOptions, httpGet } from './fetch.js';

export async function readHttpRange(
  url: string,
  length: number,
  position: number,
  opts: HttpGetOptions = {},
): Promise<Buffer | undefined> {
  const res = await httpGet(url, { ...opts, rangeStart: position });
  try {
    // Offset 0 is asked without a Range header: the whole body from its start does (its first
    // `length` bytes are read, the rest dropped).
    const fromStart = position === 0 && res.status === 200;
    if (!fromStart && (res.status !== 206 || (res.rangeStart !== undefined && res.rangeStart !== position)))
      return undefined;
    const out = Buffer.alloc(length);
    let got = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      got += chunk.copy(out, got, 0, Math.min(chunk.length, length - got));
      if (got >= length) break;
    }
    return got === length ? out : undefined;
  } finally {
    res.body.destroy();
  }
}
