/**
 * Streaming decompression as a Transform (download --decompress): the codec is chosen by the
 * first bytes (src/decode/auto-decoder.ts); raw input passes through.
 */
import { Transform } from 'node:stream';
import { AutoDecoder } from './auto-decoder.js';
import type { Emit } from './codec.js';

export { type Compression, sniffCompression } from '../formats/compression.js';

/**
 * Backpressure holds end to end: a chunk's callback fires only after the codec consumed it.
 * Lent output (reused by its codec) is copied before it is queued.
 */
export function createDecompressor(): Transform {
  const decoder = new AutoDecoder();
  // Resolved when the reader asks for more (our _read runs), after a push returned false.
  let readerWaiting: (() => void) | undefined;
  const emit: Emit = (out, lent) => {
    if (t.push(lent ? Buffer.from(out) : out)) return undefined;
    return new Promise<void>((resolve) => {
      readerWaiting = resolve;
    });
  };

  const t: Transform = new Transform({
    // Room for decoded output while the consumer's write is in flight, so decoding and disk
    // writes overlap (with the 16 KiB default they took turns). 2 MiB keeps peak RSS in budget.
    readableHighWaterMark: 2 * 1024 * 1024,
    transform(chunk: Buffer, _enc, cb) {
      decoder.write(chunk, emit).then(() => cb(), cb);
    },
    flush(cb) {
      decoder.finish(emit).then(() => cb(), cb);
    },
    destroy(err, cb) {
      decoder.close();
      readerWaiting?.();
      cb(err);
    },
  });
  const transformRead = t._read.bind(t);
  t._read = (size: number) => {
    const wake = readerWaiting;
    readerWaiting = undefined;
    wake?.();
    transformRead(size);
  };
  return t;
}
