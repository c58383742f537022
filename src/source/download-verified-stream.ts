/**
 * The streaming pass of download, as Node streams:
 *   source bytes → taps (progress, signature, sha256) → [skip lead-in] → [decompress] → consumer
 * The consumer may write what it reads, but must not commit it before `done()` resolves:
 * the verdict (signature over the *compressed* bytes, plus the stream's sha256 when listed)
 * only exists after the whole stream was read (CVE-2021-20319). Install uses the same taps
 * without streams (install-verified-pass.ts).
 */
import { pipeline, Readable, Transform } from 'node:stream';
import type * as openpgp from 'openpgp';
import { UserError } from '../errors.js';
import { createDecompressor } from '../decode/decompress.js';
import { chunksOf } from '../io/stream-chunks.js';
import type { Reporter } from '../report.js';
import type { ImageSource } from './image-source.js';
import { VerifiedTaps } from './verification-taps.js';

export { requireSignature } from './verification-taps.js';

export interface VerifiedPipelineOptions {
  keys: openpgp.PublicKey[];
  insecure: boolean;
  decompress: boolean;
  reporter: Reporter;
  label?: string;
  /**
   * Signature bytes already fetched and put through `requireSignature` by the caller (else
   * source.signature() is asked here and the rule applied). `null` = none, allowed.
   */
  signature?: Uint8Array | null;
  /** Already opened body (else source.open()). */
  body?: Readable;
  /** Bytes that precede `body` (a resumed `.part`): verified and hashed, not passed on. */
  leadIn?: { stream: Readable; length: number };
  /** Total length for progress, when known. */
  total?: number;
}

export interface VerifiedPipeline {
  stream: Readable;
  done(): Promise<void>;
  /** True when a signature was checked (false only with --insecure and no signature). */
  signed: boolean;
}

/** Drops the first `n` bytes (the resumed lead-in) and passes the rest. */
class SkipBytes extends Transform {
  constructor(private remaining: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    if (this.remaining >= chunk.length) {
      this.remaining -= chunk.length;
      return cb();
    }
    const rest = chunk.subarray(this.remaining);
    this.remaining = 0;
    cb(null, rest);
  }
}

/** Feeds the published bytes to the taps and passes them on unchanged. */
function publishedTap(taps: VerifiedTaps): Transform {
  taps.start();
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const pending = taps.published(chunk);
      if (!pending) return cb(null, chunk);
      pending.then(
        () => cb(null, chunk),
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    },
    flush(cb) {
      taps.end().then(
        () => cb(),
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    },
  });
}

function decodedTap(taps: VerifiedTaps): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      taps.decoded(chunk);
      cb(null, chunk);
    },
  });
}

function concat(first: Readable, second: Readable): Readable {
  return Readable.from(
    (async function* () {
      try {
        yield* chunksOf(first);
      } catch (err) {
        second.destroy();
        throw err;
      }
      yield* chunksOf(second);
    })(),
    { objectMode: false },
  );
}

export async function verifiedPipeline(
  source: ImageSource,
  options: VerifiedPipelineOptions,
): Promise<VerifiedPipeline> {
  if (options.leadIn && options.decompress) throw new UserError('internal error: resume with decompression');
  const taps = await VerifiedTaps.create(source, {
    ...options,
    decoded: options.decompress,
    resumed: options.leadIn?.length,
  });
  const body = options.body ?? (await source.open());
  const input = options.leadIn ? concat(options.leadIn.stream, body) : body;
  const stages: Transform[] = [publishedTap(taps)];
  if (options.leadIn) stages.push(new SkipBytes(options.leadIn.length));
  if (options.decompress) stages.push(createDecompressor());
  if (options.decompress && source.uncompressedSha256) stages.push(decodedTap(taps));

  let settle!: (err?: Error | null) => void;
  const piped = new Promise<void>((resolve, reject) => {
    settle = (err) => {
      if (err) taps.failed();
      return err ? reject(err) : resolve();
    };
  });
  // The rejection is observed by whoever awaits it later; this marks it handled.
  piped.catch(() => undefined);
  const out = pipeline([input, ...stages] as unknown as [Readable, ...Transform[]], (err) =>
    settle(err),
  ) as unknown as Readable;
  const done = async () => {
    await piped;
    await taps.verdict();
  };
  return { stream: out, done, signed: taps.signed };
}
