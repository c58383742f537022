/**
 * The decoder the stream's first bytes call for: gzip, xz, zstd, or a pass-through for raw
 * images. Strict, like upstream: a truncated stream and any byte after the end of the
 * compressed stream are errors (CVE-2021-20319 came from never reading the end of a gzip
 * stream). Each codec lives in its own file behind the small Codec interface.
 */
import { UserError } from '../errors.js';
import { type Compression, XZ_MAGIC, sniffCompression } from '../formats/compression.js';
import type { Codec, Emit } from './codec.js';
import { GzipCodec } from './gzip-decoder.js';
import { DecoderThread } from './decoder-thread.js';
import { OffThreadCodec } from './offthread-codec.js';

/** Bytes needed to tell the formats apart. */
const SNIFF_BYTES = XZ_MAGIC.length;

function codecFor(kind: Compression): Codec | undefined {
  switch (kind) {
    case 'gzip':
      return new GzipCodec();
    case 'xz':
    case 'zstd':
      return new OffThreadCodec(kind);
    case 'none':
      return undefined;
  }
}

function asUserError(codec: string, err: unknown): Error {
  if (err instanceof UserError) return err;
  return new UserError(`${codec} decoding failed`, { cause: err });
}

/** A Codec that picks the real one from the first bytes; raw input is lent on unchanged. */
export class AutoDecoder implements Codec {
  private head: Buffer[] = [];
  private headLen = 0;
  private kind: Compression | undefined;
  private codec: Codec | undefined;

  async write(chunk: Buffer, emit: Emit): Promise<void> {
    let data = chunk;
    let lent = true;
    if (this.kind === undefined) {
      if (this.headLen === 0 && chunk.length >= SNIFF_BYTES) {
        this.decide(chunk);
      } else {
        this.head.push(Buffer.from(chunk)); // lent: keep a copy of the few bytes seen so far
        this.headLen += chunk.length;
        if (this.headLen < SNIFF_BYTES) return;
        data = this.decide(Buffer.concat(this.head, this.headLen));
        lent = false;
      }
    }
    if (!this.codec) {
      await emit(data, lent);
      return;
    }
    await this.codec.write(data, emit).catch((err: unknown) => {
      throw asUserError(this.kind!, err);
    });
  }

  async finish(emit: Emit): Promise<void> {
    const rest = this.kind === undefined ? this.decide(Buffer.concat(this.head, this.headLen)) : undefined;
    const codec = this.codec;
    try {
      if (!codec) {
        if (rest && rest.length > 0) await emit(rest);
        return;
      }
      if (rest && rest.length > 0) await codec.write(rest, emit);
      await codec.finish(emit);
    } catch (err) {
      throw asUserError(this.kind!, err);
    }
  }

  close(): void {
    this.codec?.close();
  }

  private decide(first: Buffer): Buffer {
    this.head = [];
    this.kind = sniffCompression(first);
    this.codec = codecFor(this.kind);
    if (!(this.codec instanceof OffThreadCodec)) DecoderThread.release();
    return first;
  }
}
