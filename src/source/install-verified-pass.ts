/**
 * The streaming pass of install, without Node streams:
 *   published chunks → taps (progress, signature, sha256) → decoder → taps (decoded sha256) → sink
 * one chunk at a time. Every chunk is lent down the chain (a file is read into two reused
 * buffers, xz and zstd decode on their own thread into a shared ring) and each step is done
 * with it before the next is read: a multi-GiB install makes no per-chunk garbage, which V8
 * would only free when it next collects. The sink must not commit anything before `verdict()` resolved
 * (CVE-2021-20319): the verdict only exists after the last byte was read.
 */
import type * as openpgp from 'openpgp';
import { interruptedError } from '../errors.js';
import { AutoDecoder } from '../decode/auto-decoder.js';
import type { Emit } from '../decode/codec.js';
import type { Reporter } from '../report.js';
import type { ImageSource } from './image-source.js';
import { VerifiedTaps } from './verification-taps.js';

export interface PumpOptions {
  keys: openpgp.PublicKey[];
  insecure: boolean;
  reporter: Reporter;
  label?: string;
  signal?: AbortSignal;
  /**
   * Already fetched while planning, with the missing-signature rule applied (`null`: none,
   * allowed by --insecure). Otherwise it is fetched here.
   */
  signature?: Uint8Array | null;
  /** The source's bytes, already opened while planning (otherwise opened here). */
  chunks?: AsyncIterable<Buffer>;
}

/** Takes decoded bytes (lent); a promise means "busy, wait". */
export type Sink = (decoded: Buffer) => Promise<void> | undefined;

export interface VerifiedPump {
  /** Reads, verifies and decodes the whole image into `sink`. */
  run(sink: Sink): Promise<void>;
  /** Rejects unless every signature and listed digest matched; call after run(). */
  verdict(): Promise<void>;
}

/** Fetches the signature (the missing-signature rule applies here) and opens the source, unless given. */
export async function openVerified(source: ImageSource, options: PumpOptions): Promise<VerifiedPump> {
  const taps = await VerifiedTaps.create(source, { ...options, decoded: true });
  const chunks = options.chunks ?? (await source.openChunks(options.signal));
  const run = async (sink: Sink) => {
    taps.start();
    const decoder = new AutoDecoder();
    // Never throws: codecs call emit from native callbacks and event handlers.
    const emit: Emit = (out) => {
      try {
        taps.decoded(out);
        return sink(out);
      } catch (err) {
        return Promise.reject(err);
      }
    };
    try {
      for await (const chunk of chunks) {
        if (options.signal?.aborted) throw interruptedError(options.signal);
        const verifying = taps.published(chunk);
        if (verifying) await verifying;
        await decoder.write(chunk, emit);
      }
      await taps.end();
      await decoder.finish(emit);
    } catch (err) {
      decoder.close();
      taps.failed();
      throw options.signal?.aborted ? interruptedError(options.signal) : err;
    }
  };
  return { run, verdict: () => taps.verdict() };
}
