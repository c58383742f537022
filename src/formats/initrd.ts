/**
 * Reads initrds made of concatenated archives: each is gzip (one member), xz
 * (one stream), zstd (consecutive frames) or uncompressed newc, with zero padding between them.
 * Only regular files matching the filter are kept; a later duplicate wins (kernel semantics).
 * After the trailer of a compressed archive the rest of its decompressed data must be zeros.
 *
 * This whole-buffer reader is for small in-memory inputs (the ISO embed area); files are read with
 * the streaming reader in initrd-stream.ts, which shares the newc parsing and these rules.
 */
import { inflateRawSync, crc32 } from 'node:zlib';
import { decompress as zstdDecompress } from 'zstd-napi';
import zstdBinding from 'zstd-napi/binding.js';
import { UserError } from '../errors.js';
import { readNewc, S_IFMT, S_IFREG, comparePaths } from './cpio-newc.js';
import { unxzOne } from '../io/xz.js';
import { isZstdMagic, sniffCompression } from './compression.js';

/** Default cap on one archive's decompressed size. */
export const MAX_DECOMPRESSED = 4 * 1024 * 1024 * 1024;

const ZEROS = Buffer.alloc(64 * 1024);

/** After the trailer of a compressed archive, its decompressed data must be zeros. */
export function assertZerosFrom(data: Buffer, from: number): void {
  // Compared block-wise against zeros (natively): a bomb may be GiBs of zeros after the trailer.
  for (let i = from; i < data.length; i += ZEROS.length) {
    const block = data.subarray(i, i + ZEROS.length);
    if (!block.equals(ZEROS.subarray(0, block.length))) throw new UserError('found trailing garbage inside compressed archive');
  }
}

/** One gzip member: returns data and compressed length (header parsed here, body via inflateRaw). */
function gunzipOne(buf: Buffer, start: number, maxOutput: number): { data: Buffer; consumed: number } {
  const fail = () => new UserError('unexpected end of compressed stream');
  if (start + 10 > buf.length || buf[start + 2] !== 8) throw new UserError('invalid gzip header');
  const flg = buf[start + 3]!;
  let p = start + 10;
  if (flg & 4) {
    if (p + 2 > buf.length) throw fail();
    p += 2 + buf.readUInt16LE(p);
  }
  for (const bit of [8, 16]) {
    if (flg & bit) {
      const z = buf.indexOf(0, p);
      if (z === -1) throw fail();
      p = z + 1;
    }
  }
  if (flg & 2) p += 2;
  if (p > buf.length) throw fail();
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    result = inflateRawSync(buf.subarray(p), { info: true, maxOutputLength: maxOutput }) as unknown as typeof result;
  } catch (e) {
    throw new UserError(`gzip decoding failed: ${(e as Error).message}`);
  }
  const trailer = p + result.engine.bytesWritten;
  if (trailer + 8 > buf.length) throw fail();
  if (buf.readUInt32LE(trailer) !== crc32(result.buffer)) throw new UserError('gzip CRC mismatch');
  return { data: result.buffer, consumed: trailer + 8 - start };
}

function unzstdFrames(buf: Buffer, start: number, maxOutput: number): { data: Buffer; consumed: number } {
  let p = start;
  let declared = 0;
  while (isZstdMagic(buf, p)) {
    let size: number;
    try {
      size = zstdBinding.findFrameCompressedSize(buf.subarray(p));
      declared += zstdBinding.getFrameContentSize(buf.subarray(p)) ?? 0;
    } catch {
      throw new UserError('unexpected end of compressed stream');
    }
    p += size;
  }
  if (declared > maxOutput) throw new UserError(`zstd archive decompresses to more than ${maxOutput} bytes`);
  try {
    const data = zstdDecompress(buf.subarray(start, p));
    if (data.length > maxOutput) throw new UserError(`zstd archive decompresses to more than ${maxOutput} bytes`);
    return { data, consumed: p - start };
  } catch (e) {
    throw new UserError(`zstd decoding failed: ${(e as Error).message}`);
  }
}

/** Visits every regular file of every archive, in order. */
export interface InitrdReadOptions {
  /** Upper bound for each decompressed archive (decompression bombs fail instead of exhausting memory). */
  maxDecompressed?: number;
}

export function walkInitrd(buf: Buffer, visit: (name: string, data: Buffer) => void, opts: InitrdReadOptions = {}): void {
  const max = opts.maxDecompressed ?? MAX_DECOMPRESSED;
  let pos = 0;
  while (pos < buf.length) {
    if (buf[pos] === 0) {
      pos++;
      continue;
    }
    const kind = sniffCompression(buf, pos);
    if (kind === 'none') {
      const { entries, end } = readNewc(buf, pos);
      for (const e of entries) if ((e.mode & S_IFMT) === S_IFREG) visit(e.name, e.data);
      pos = end;
      continue;
    }
    const r = kind === 'gzip' ? gunzipOne(buf, pos, max) : kind === 'xz' ? unxzOne(buf.subarray(pos), max) : unzstdFrames(buf, pos, max);
    const archive = r.data;
    const next = pos + r.consumed;
    const { entries, end } = readNewc(archive, 0);
    for (const e of entries) if ((e.mode & S_IFMT) === S_IFREG) visit(e.name, e.data);
    assertZerosFrom(archive, end);
    pos = next;
  }
}

/** Path → contents of the kept regular files (last duplicate wins), sorted bytewise. */
export function readInitrd(buf: Buffer, filter: (path: string) => boolean = () => true, opts: InitrdReadOptions = {}): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  walkInitrd(buf, (name, data) => {
    if (filter(name)) files.set(name, Buffer.from(data));
  }, opts);
  return new Map([...files.entries()].sort((a, b) => comparePaths(a[0], b[0])));
}
