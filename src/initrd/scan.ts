/**
 * Streaming reader for initrds made of concatenated archives, for files of any
 * size: input is read in chunks, each archive (gzip member, xz stream, zstd frames or plain newc,
 * with zero padding between them) is decoded incrementally and its newc entries parsed as they
 * stream by. Only what a visitor's sinks keep is held in memory. Only regular files are visited.
 * After the trailer of a compressed archive the rest of its decompressed data must be zeros, and
 * each archive's decompressed size is capped (decompression bombs cost bounded time).
 */
import { UserError } from '../errors.js';
import { S_IFMT, S_IFREG } from './cpio-newc.js';
import { NewcParser, type EntrySink, type EntryVisitor } from './newc-stream.js';
import { type Compression, sniffCompression } from '../formats/compression.js';
import type { MemberDecoder } from './member-decoder.js';
import { GzipMember } from './gzip-member.js';
import { XzMember } from './xz-member.js';
import { ZstdMember } from './zstd-member.js';

export type { EntrySink } from './newc-stream.js';

/** A regular file of the initrd, seen before its data. */
export interface InitrdMember {
  name: string;
  size: number;
}

/** Returns a sink for the member's data, or undefined to skip it. */
export type MemberVisitor = (member: InitrdMember) => EntrySink | undefined;

/** Default cap on one archive's decompressed size. */
export const MAX_DECOMPRESSED = 4 * 1024 * 1024 * 1024;

export interface InitrdReadOptions {
  /** Upper bound for each decompressed archive (decompression bombs fail instead of exhausting memory). */
  maxDecompressed?: number;
}

const ZEROS = Buffer.alloc(64 * 1024);

/** After the trailer of a compressed archive, its decompressed data must be zeros. */
export function assertZerosFrom(data: Buffer, from: number): void {
  // Compared block-wise against zeros (natively): a bomb may be GiBs of zeros after the trailer.
  for (let i = from; i < data.length; i += ZEROS.length) {
    const block = data.subarray(i, i + ZEROS.length);
    if (!block.equals(ZEROS.subarray(0, block.length)))
      throw new UserError('found trailing garbage inside compressed archive');
  }
}

/** A decoder that asks for more input than this without progress is refused (hostile input). */
const MAX_PENDING = 16 * 1024 * 1024;

/** Input bytes not yet consumed, and their offset in the initrd. */
class Pending {
  buf: Buffer = Buffer.alloc(0);
  offset = 0;
  private eof = false;
  private readonly it: AsyncIterator<Buffer | Uint8Array | string>;

  constructor(source: AsyncIterable<Buffer | Uint8Array | string>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Appends the next chunk; false at the end of the input. */
  async more(): Promise<boolean> {
    while (!this.eof) {
      const r = await this.it.next();
      if (r.done) this.eof = true;
      else if (r.value.length > 0) {
        const v = r.value;
        const chunk = Buffer.isBuffer(v)
          ? v
          : typeof v === 'string'
            ? Buffer.from(v)
            : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
        return true;
      }
    }
    return false;
  }

  consume(n: number): void {
    this.buf = this.buf.subarray(n);
    this.offset += n;
  }

  /** Skips zero padding; false when the input ended. */
  async skipZeros(): Promise<boolean> {
    for (;;) {
      let i = 0;
      while (i < this.buf.length && this.buf[i] === 0) i++;
      this.consume(i);
      if (this.buf.length > 0) return true;
      if (!(await this.more())) return false;
    }
  }

  async fill(n: number): Promise<void> {
    while (this.buf.length < n && (await this.more()));
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/** Decompressed bytes of one archive: newc entries, then only zeros, within the size cap. */
class DecompressedArchive {
  private readonly parser: NewcParser;
  private total = 0;

  constructor(
    visit: EntryVisitor,
    private readonly max: number,
    private readonly describe: () => string,
  ) {
    this.parser = new NewcParser(visit, 0);
  }

  readonly write = (out: Buffer): void => {
    this.total += out.length;
    if (this.total > this.max) throw new UserError(`${this.describe()} decompresses to more than ${this.max} bytes`);
    assertZerosFrom(out, this.parser.done ? 0 : this.parser.push(out));
  };

  end(): void {
    this.parser.end();
  }
}

function decoderFor(kind: Exclude<Compression, 'none'>): MemberDecoder {
  return kind === 'gzip' ? new GzipMember() : kind === 'xz' ? new XzMember() : new ZstdMember();
}

function asUserError(kind: string, err: unknown): Error {
  if (err instanceof UserError) return err;
  return new UserError(`${kind} decoding failed`, { cause: err });
}

async function readPlain(input: Pending, visit: EntryVisitor): Promise<void> {
  const parser = new NewcParser(visit, input.offset);
  for (;;) {
    input.consume(parser.push(input.buf));
    if (parser.done) return;
    if (!(await input.more())) return parser.end();
  }
}

async function readCompressed(
  input: Pending,
  kind: Exclude<Compression, 'none'>,
  visit: EntryVisitor,
  max: number,
): Promise<void> {
  const start = input.offset;
  const archive = new DecompressedArchive(visit, max, () => `${kind} archive at offset ${start}`);
  const decoder = decoderFor(kind);
  try {
    for (;;) {
      if (input.buf.length > 0) {
        const { used, done } = await decoder.write(input.buf, archive.write);
        input.consume(used);
        if (done) break;
        if (input.buf.length > MAX_PENDING)
          throw new UserError(
            `${kind} archive at offset ${start}: the decoder made no progress on ${input.buf.length} bytes (corrupt archive)`,
          );
      }
      if (!(await input.more())) {
        decoder.finish();
        break;
      }
    }
  } catch (e) {
    throw asUserError(kind, e);
  } finally {
    decoder.close();
  }
  archive.end();
}

/**
 * Visits every regular file of every archive of the initrd, in order (a later duplicate comes
 * later; whether it wins is the visitor's business). Data a sink receives is only valid during
 * the call: copy what you keep. A source chunk is not used any more once the chunk after the next
 * one is asked for (so a source may alternate between two buffers).
 */
export async function scanInitrd(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  visit: MemberVisitor,
  opts: InitrdReadOptions = {},
): Promise<void> {
  const max = opts.maxDecompressed ?? MAX_DECOMPRESSED;
  const regular: EntryVisitor = (e) =>
    (e.mode & S_IFMT) === S_IFREG ? visit({ name: e.name, size: e.size }) : undefined;
  const input = new Pending(source);
  try {
    while (await input.skipZeros()) {
      await input.fill(6);
      const kind = sniffCompression(input.buf, 0);
      if (kind === 'none') await readPlain(input, regular);
      else await readCompressed(input, kind, regular, max);
    }
  } finally {
    await input.close();
  }
}
