/**
 * Reads a file (or block device) in 1 MiB chunks that are views of two buffers, reused: a
 * chunk is lent until the next one is asked for. The next read is already in flight while the
 * caller works on the current chunk. Unlike fs.createReadStream (a new 1 MiB buffer per read),
 * a multi-GiB image makes no garbage here.
 */
import { open } from 'node:fs/promises';
import { alignedBuffer } from './aligned-memory.js';

const CHUNK = 1024 * 1024;

export async function* readFileChunks(path: string, start = 0, chunkSize = CHUNK): AsyncGenerator<Buffer, void, undefined> {
  const handle = await open(path, 'r');
  // Page-aligned: a raw image's chunks are written to the disk as they are (O_DIRECT).
  const buffers = [alignedBuffer(chunkSize), alignedBuffer(chunkSize)];
  let position = start;
  let current = 0;
  const readInto = (k: number) => handle.read(buffers[k]!, 0, chunkSize, position);
  let pending = readInto(current);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) return;
      position += bytesRead;
      const chunk = buffers[current]!.subarray(0, bytesRead);
      current ^= 1;
      pending = readInto(current);
      yield chunk;
    }
  } finally {
    // Waiting for the in-flight write to settle; its error was already reported.
    await pending.catch(() => undefined);
    await handle.close();
  }
}
