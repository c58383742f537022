/**
 * Everything the verdict on one image needs, fed chunk by chunk: progress, the detached
 * signature over the *published* (compressed) bytes, the stream's sha256 of those bytes, and
 * its uncompressed sha256 of the decoded ones. The verdict exists only after the last byte
 * (CVE-2021-20319: never trust a result before the end was read).
 */
import { createHash, type Hash } from 'node:crypto';
import type * as openpgp from 'openpgp';
import { UserError, VerificationError } from '../errors.js';
import { signerOf } from '../verify/signer.js';
import { createSignatureVerifier, type SignatureVerifier } from '../verify/signature.js';
import type { Reporter } from '../report.js';
import type { ImageSource } from './image-source.js';

export interface TapOptions {
  keys: openpgp.PublicKey[];
  insecure: boolean;
  reporter: Reporter;
  /** Progress label (default: the source's type). */
  label?: string;
  /** Total length for progress, when known (default: the source's). */
  total?: number;
  /** Leading bytes already on disk (a resumed download): progress does not count them as transferred. */
  resumed?: number;
  /** Hash the decoded bytes against the source's uncompressed sha256, when listed. */
  decoded: boolean;
  /**
   * Signature bytes already fetched and put through `requireSignature` by the caller (else
   * source.signature() is asked here and the rule applied). `null` = none, allowed.
   */
  signature?: Uint8Array | null;
}

/** Applies the missing-signature rule: fatal unless --insecure. */
export function requireSignature(
  sig: Uint8Array | undefined | null,
  insecure: boolean,
  reporter: Reporter,
): sig is Uint8Array {
  if (sig) return true;
  if (!insecure) throw new UserError('--insecure not specified and signature not found');
  reporter.warn('Signature not found; skipping verification as requested');
  return false;
}

export class VerifiedTaps {
  private bytes = 0;

  private constructor(
    private readonly source: ImageSource,
    private readonly reporter: Reporter,
    private readonly label: string,
    private total: number | undefined,
    private readonly resumed: number | undefined,
    private readonly signature:
      { bytes: Uint8Array; keys: openpgp.PublicKey[]; verifier: SignatureVerifier } | undefined,
    private readonly sha: Hash | undefined,
    private readonly decodedSha: Hash | undefined,
  ) {}

  /** Fetches the signature (unless given) and applies the missing-signature rule. */
  static async create(source: ImageSource, options: TapOptions): Promise<VerifiedTaps> {
    const sig = options.signature === undefined ? await source.signature() : options.signature;
    const signed =
      options.signature === undefined ? requireSignature(sig, options.insecure, options.reporter) : sig !== null;
    return new VerifiedTaps(
      source,
      options.reporter,
      options.label ?? source.type,
      options.total,
      options.resumed,
      signed
        ? {
            bytes: sig as Uint8Array,
            keys: options.keys,
            verifier: createSignatureVerifier(sig as Uint8Array, options.keys),
          }
        : undefined,
      source.sha256 ? createHash('sha256') : undefined,
      options.decoded && source.uncompressedSha256 ? createHash('sha256') : undefined,
    );
  }

  /** True when a signature is checked (false only with --insecure and no signature). */
  get signed(): boolean {
    return this.signature !== undefined;
  }

  private get verifier(): SignatureVerifier | undefined {
    return this.signature?.verifier;
  }

  private event() {
    return { label: this.label, bytes: this.bytes, total: this.total, resumed: this.resumed };
  }

  /** Reports that reading started; call once the source is open (its length is known then). */
  start(): void {
    this.total ??= this.source.length;
    this.reporter.progress({ ...this.event(), bytes: 0 });
  }

  /** The next published bytes. The chunk is lent: reusable once the returned promise settled. */
  published(chunk: Buffer): Promise<void> | undefined {
    this.bytes += chunk.length;
    this.reporter.progress(this.event());
    this.sha?.update(chunk);
    return this.verifier?.update(chunk);
  }

  /** The next decoded bytes. */
  decoded(chunk: Buffer): void {
    this.decodedSha?.update(chunk);
  }

  /** The published bytes ended. The progress display ends with the verdict. */
  async end(): Promise<void> {
    await this.verifier?.end();
  }

  /** Reading failed before the end: the progress display ends as failed. */
  failed(): void {
    this.reporter.progressFailed(this.event());
  }

  /**
   * Rejects unless every signature and listed digest matched; call after end(). The progress
   * display ends as done or failed accordingly, and a good signature names its key.
   */
  async verdict(): Promise<void> {
    try {
      await this.check();
    } catch (err) {
      this.failed();
      throw err;
    }
    this.reporter.progressDone({ ...this.event(), total: this.total ?? this.bytes });
    const signer = this.signature && (await signerOf(this.signature.bytes, this.signature.keys));
    if (signer) this.reporter.signature({ label: this.label, ...signer });
  }

  private async check(): Promise<void> {
    if (this.verifier) await this.verifier.verified();
    if (this.sha && this.sha.digest('hex') !== this.source.sha256) {
      throw new VerificationError(`sha256 mismatch for ${this.source.description}: expected ${this.source.sha256}`);
    }
    if (this.decodedSha && this.decodedSha.digest('hex') !== this.source.uncompressedSha256) {
      throw new VerificationError(
        `uncompressed sha256 mismatch for ${this.source.description}: expected ${this.source.uncompressedSha256}`,
      );
    }
  }
}
