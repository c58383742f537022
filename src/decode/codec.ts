/** The interface each streaming decoder implements for src/decode/decompress.ts. */
import { UserError } from '../errors.js';

/**
 * Hands decoded output downstream. A returned promise means "the reader is full": the codec
 * must not produce more until it settles. Without that, one small input chunk of a sparse
 * disk image (GiBs of zeros compress to KiBs) would pile GiBs of output up in memory.
 * Output buffers are read-only for everyone downstream (runs of zeros may share one buffer).
 * A `lent` buffer is reused by the codec once emit returned (or its promise settled): a
 * consumer that keeps the bytes longer must copy them. Lending is what keeps a multi-GiB
 * install free of per-chunk garbage (V8 frees dead external buffers only in batches). Emit never
 * throws; a reader's failure comes back as a rejected promise, which the codec must pass on.
 */
export type Emit = (out: Buffer, lent?: boolean) => Promise<void> | undefined;

export interface Codec {
  /**
   * Decodes one input chunk, emitting output as produced; resolves once it is consumed. The
   * chunk is lent too: the caller may reuse its memory once the promise settled.
   */
  write(chunk: Buffer, emit: Emit): Promise<void>;
  /** The input ended: rejects when the compressed stream is incomplete. */
  finish(emit: Emit): Promise<void>;
  /** Releases native resources early (on destroy). */
  close(): void;
}

/**
 * Where a decoder on the worker thread (decoder-worker.ts) writes: the free part of the current
 * ring slot. `space()` blocks while every slot is still lent to the reader; a slot goes to the
 * reader once full (or when the stream ends), so readers see whole slots.
 */
export interface SlotOutput {
  /** The free part of the current slot (never empty). */
  space(): Buffer;
  /** `n` bytes were decoded into the front of the last space(). */
  produced(n: number): void;
}

/** A decoder that runs synchronously on the worker thread; errors are thrown. */
export interface SyncCodec {
  /** Decodes one input chunk (lent: no view of it is kept after the call). */
  write(chunk: Buffer): void;
  /** The input ended: throws when the compressed stream is incomplete. */
  finish(): void;
  /** Releases native resources (after the end or a failure). */
  close(): void;
}

export const TRUNCATED_MESSAGE = 'unexpected end of compressed stream';
export const TRAILING_MESSAGE = 'found trailing data after compressed stream';

export const truncatedError = () => new UserError(TRUNCATED_MESSAGE);
export const trailingError = () => new UserError(TRAILING_MESSAGE);
