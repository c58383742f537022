/**
 * Decoders for ONE compressed archive inside a concatenated initrd: they decode incrementally and
 * report where the compressed stream ended, so the bytes after it go back to the initrd reader
 * (unlike src/decode/decompress.ts, where anything after the stream is an error).
 */
import { truncatedError } from '../decode/codec.js';

/**
 * Receives decoded output synchronously; it may throw to abort decoding. The buffer is only valid
 * during the call (decoders reuse it): copy what you keep.
 */
export type MemberOutput = (out: Buffer) => void;

export interface MemberStep {
  /** Input bytes used from the chunk given to `write`. */
  used: number;
  /** The compressed stream ended within the used bytes. */
  done: boolean;
}

export interface MemberDecoder {
  /**
   * Decodes from the front of `chunk`. Unless `done`, every byte is used except a short tail the
   * decoder needs more input to interpret (it gets it again, extended, on the next call).
   */
  write(chunk: Buffer, out: MemberOutput): Promise<MemberStep>;
  /** The input ended (the unused tail was given back): throws unless at a valid end. */
  finish(): void;
  /** Releases native resources (also after errors). */
  close(): void;
}

export const truncated = truncatedError;
