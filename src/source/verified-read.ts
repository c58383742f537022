/**
 * The ONE streaming pass shared by download and install:
 *   source bytes → progress → signature tap → sha256 tap → [skip lead-in] → [decompress] → consumer
 * The consumer may write what it reads, but must not commit it before `done()` resolves:
 * the verdict (signature over the *compressed* bytes, plus the stream's sha256 when listed)
 * only exists after the whole stream was read (CVE-2021-20319).
 */
import { pipeline, Readable, Transform } from 'node:stream';
import type * as openpgp from 'openpgp';
import { UserError, VerificationError } from '../errors.js';
import { createDecompressor } from '../io/decompress.js';
import { ProgressTap } from '../io/progress-tap.js';
import { HashTap } from '../io/sha256-tap.js';
import { createSignatureVerifier } from '../io/verify.js';
import type { Reporter } from '../report.js';
import type { ImageSource } from './image-source.js';

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

/** Applies the missing-signature rule: fatal unless --insecure. */
export function requireSignature(sig: Uint8Array | undefined | null, insecure: boolean, reporter: Reporter): sig is Uint8Array {
  if (sig) return true;
  if (!insecure) throw new UserError('--insecure not specified and signature not found');
  reporter.warn('Signature not found; skipping verification as requested');
  return false;
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

function concat(first: Readable, second: Readable): Readable {
  return Readable.from(
    (async function* () {
      try {
        yield* first as AsyncIterable<Buffer>;
      } catch (err) {
        second.destroy();
        throw err;
      }
      yield* second as AsyncIterable<Buffer>;
    })(),
    { objectMode: false },
  );
}

export async function verifiedPipeline(source: ImageSource, o: VerifiedPipelineOptions): Promise<VerifiedPipeline> {
  const sig = o.signature === undefined ? await source.signature() : o.signature;
  const signed = o.signature === undefined ? requireSignature(sig, o.insecure, o.reporter) : sig !== null;
  if (o.leadIn && o.decompress) throw new UserError('internal error: resume with decompression');
  const body = o.body ?? (await source.open());
  const input = o.leadIn ? concat(o.leadIn.stream, body) : body;

  const verifier = signed ? createSignatureVerifier(sig as Uint8Array, o.keys) : undefined;
  const sha = source.sha256 ? new HashTap('sha256') : undefined;
  const usha = o.decompress && source.uncompressedSha256 ? new HashTap('sha256') : undefined;
  const stages: NodeJS.ReadWriteStream[] = [new ProgressTap(o.reporter, o.label ?? source.type, o.total ?? source.length)];
  if (verifier) stages.push(verifier.stream);
  if (sha) stages.push(sha);
  if (o.leadIn) stages.push(new SkipBytes(o.leadIn.length));
  if (o.decompress) stages.push(createDecompressor());
  if (usha) stages.push(usha);

  let settle!: (err?: Error | null) => void;
  const piped = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  piped.catch(() => undefined);
  const out = pipeline([input, ...stages] as unknown as [Readable, ...Transform[]], (err) => settle(err)) as unknown as Readable;

  const done = async () => {
    await piped;
    if (verifier) await verifier.verified();
    if (sha && sha.digest() !== source.sha256) {
      throw new VerificationError(`sha256 mismatch for ${source.description}: expected ${source.sha256}`);
    }
    if (usha && usha.digest() !== source.uncompressedSha256) {
      throw new VerificationError(`uncompressed sha256 mismatch for ${source.description}: expected ${source.uncompressedSha256}`);
    }
  };
  return { stream: out, done, signed };
}
