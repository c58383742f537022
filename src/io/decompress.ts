/**
 * Streaming decompression chosen by magic bytes: gzip, xz, zstd, or raw passthrough.
 * Strict, like upstream: a truncated stream and any byte after the end of the compressed
 * stream are errors (CVE-2021-20319 came from never reading the end of a gzip stream).
 * Each codec lives in its own file behind the small Codec interface; this file only sniffs.
 */
import { Transform } from 'node:stream';
import { UserError } from '../errors.js';
import { type Codec, type Emit, isZstdMagic } from './codec.js';
import { GzipCodec } from './gzip-decoder.js';
import { XzCodec } from './xz-decoder.js';
import { OffThreadZstdCodec } from './zstd-offthread.js';

export { isZstdMagic, TRAILING_MESSAGE, TRUNCATED_MESSAGE } from './codec.js';

export type Compression = 'gzip' | 'xz' | 'zstd' | 'none';

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];


/** Which codec the first bytes of a file call for (6 bytes are enough). */
export function sniffCompression(buf: Uint8Array): Compression {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip';
  if (buf.length >= 6 && XZ_MAGIC.every((b, i) => buf[i] === b)) return 'xz';
  if (isZstdMagic(buf)) return 'zstd';
  return 'none';
}

function codecFor(kind: Compression): Codec | undefined {
  switch (kind) {
    case 'gzip':
      return new GzipCodec();
    case 'xz':
      return new XzCodec();
    case 'zstd':
      return new OffThreadZstdCodec();
    case 'none':
      return undefined;
  }
}

function asUserError(codec: string, err: unknown): Error {
  if (err instanceof UserError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new UserError(`${codec} decoding failed: ${msg}`);
}

/**
 * A Transform that sniffs the first bytes and decodes accordingly; raw input passes through.
 * Backpressure holds end to end: a chunk's callback fires only after the codec consumed it.
 */
export function createDecompressor(): Transform {
  let head: Buffer[] = [];
  let headLen = 0;
  let decided = false;
  let kind: Compression = 'none';
  let codec: Codec | undefined;

  const decide = (): Buffer => {
    decided = true;
    const buffered = Buffer.concat(head, headLen);
    head = [];
    kind = sniffCompression(buffered);
    codec = codecFor(kind);
    return buffered;
  };

  // Resolved when the reader asks for more (our _read runs), after a push returned false.
  let readerWaiting: (() => void) | undefined;
  const emit: Emit = (out) => {
    if (t.push(out)) return undefined;
    return new Promise<void>((resolve) => {
      readerWaiting = resolve;
    });
  };

  const t: Transform = new Transform({
    // Room for decoded output while the consumer's write is in flight, so decoding and disk
    // writes overlap (with the 16 KiB default they took turns). 2 MiB keeps peak RSS in budget.
    readableHighWaterMark: 2 * 1024 * 1024,
    transform(chunk: Buffer, _enc, cb) {
      let data = chunk;
      if (!decided) {
        head.push(chunk);
        headLen += chunk.length;
        if (headLen < 6) return cb();
        data = decide();
      }
      if (!codec) return cb(null, data);
      codec.write(data, emit).then(
        () => cb(),
        (err: unknown) => cb(asUserError(kind, err)),
      );
    },
    flush(cb) {
      const rest = decided ? undefined : decide();
      if (!codec) {
        if (rest && rest.length > 0) t.push(rest);
        return cb();
      }
      const c = codec;
      (rest && rest.length > 0 ? c.write(rest, emit) : Promise.resolve())
        .then(() => c.finish(emit))
        .then(
          () => cb(),
          (err: unknown) => cb(asUserError(kind, err)),
        );
    },
    destroy(err, cb) {
      codec?.close();
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
