/**
 * Reads a file (or block device) in 1 MiB chunks that are views of a few buffers, reused: the
 * next read is already in flight while the caller works on the current chunk. Unlike
 * fs.createReadStream (a new 1 MiB buffer per read), a multi-GiB image makes no garbage here.
 *
 * A chunk is lent: by default until the next one is asked for; with `keep: 2` until the one
 * after that is asked for too (for a consumer that may still join a chunk's tail with the next
 * chunk, as the streaming initrd reader does). Copy what you keep longer.
 */
import { open } from 'node:fs/promises';
import { alignedBuffer } from './aligned-memory.js';

const CHUNK = 1024 * 1024;

export interface FileChunkOptions {
  /** Offset of the first byte read. */
  start?: number;
  chunkSize?: number;
  /** How many of the latest chunks stay valid: 1 (the current one) or 2. */
  keep?: 1 | 2;
}

export async function* readFileChunks(
  path: string,
  opts: FileChunkOptions = {},
): AsyncGenerator<Buffer, void, undefined> {
  const chunkSize = opts.chunkSize ?? CHUNK;
  const handle = await open(path, 'r');
  // Page-aligned: a raw image's chunks are written to the disk as they are (O_DIRECT).
  // One buffer more than the chunks kept: it takes the read in flight.
  const buffers = Array.from({ length: (opts.keep ?? 1) + 1 }, () => alignedBuffer(chunkSize));
  let position = opts.start ?? 0;
  let current = 0;
  const readInto = (k: number) => handle.read(buffers[k]!, 0, chunkSize, position);
  let pending = readInto(current);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) return;
      position += bytesRead;
      const chunk = buffers[current]!.subarray(0, bytesRead);
      current = (current + 1) % buffers.length;
      pending = readInto(current);
      yield chunk;
    }
  } finally {
    // Waiting for the read in flight to settle; the caller has stopped or already failed.
    await pending.catch(() => undefined);
    await handle.close();
  }
}
