/**
 * Iterates a Readable one chunk at a time, as produced. A Readable's own async iterator calls
 * read(), which joins everything buffered into one new Buffer per step: a copy of every byte,
 * and garbage at the stream's rate. Breaking out of the loop destroys the stream.
 */
import type { Readable } from 'node:stream';

export async function* chunksOf(stream: Readable): AsyncGenerator<Buffer, void, undefined> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (chunk: Buffer) => {
    queue.push(chunk);
    stream.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (err: Error) => {
    failure ??= err;
    notify();
  };
  const onClose = () => {
    if (!ended) failure ??= new Error('stream closed before its end');
    notify();
  };
  stream.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        if (queue.length === 0 && !ended) stream.resume();
        yield chunk;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    if (!ended || failure) stream.destroy();
  }
}
