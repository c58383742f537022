/**
 * A second, independent initrd reader for tests: it decodes whole buffers at once (zlib's
 * inflateRaw, zstd-napi's one-shot decoder, liblzma decoding exactly one xz stream) and parses
 * them with readNewc, so the streaming reader in src can be checked against it on any input.
 * Same rules: concatenated gzip/xz/zstd/plain newc archives with zero padding between them,
 * regular files only, a later duplicate wins, zeros only after a compressed archive's trailer.
 *
 * node-liblzma's native decoder always runs in LZMA_CONCATENATED mode (it would swallow stream
 * padding and following streams), so the end of the first xz stream is found from its footer
 * (12 bytes: CRC32, backward size, flags, "YZ", 4-byte aligned, CRC-checked) and then confirmed by
 * decoding exactly that prefix to LZMA_STREAM_END.
 */
import { inflateRawSync, crc32 } from 'node:zlib';
import { Unxz, LZMA_FINISH, LZMA_OK, LZMA_STREAM_END } from 'node-liblzma';
import { decompress as zstdDecompress } from 'zstd-napi';
import zstdBinding from 'zstd-napi/binding.js';
import { UserError } from '../../src/errors.js';
import {
  NEWC_HEADER_SIZE,
  NEWC_TRAILER,
  S_IFMT,
  S_IFREG,
  comparePaths,
  newcDataOffset,
  newcName,
  newcPad,
  parseNewcFixed,
} from '../../src/initrd/cpio-newc.js';
import { XZ_MAGIC, isZstdMagic, sniffCompression } from '../../src/formats/compression.js';
import { MAX_DECOMPRESSED, assertZerosFrom, type InitrdReadOptions } from '../../src/initrd/scan.js';

export interface CpioEntry {
  name: string;
  mode: number;
  data: Buffer;
}

/**
 * Reads one newc archive starting at `offset`, up to and including its trailer.
 * Returns the entries and the offset just past the (4-aligned) trailer.
 */
export function readNewc(buf: Buffer, offset = 0): { entries: CpioEntry[]; end: number } {
  const entries: CpioEntry[] = [];
  let pos = offset;
  for (;;) {
    if (pos + NEWC_HEADER_SIZE > buf.length) throw new UserError(`truncated cpio header at offset ${pos}`);
    const { mode, size, namesize } = parseNewcFixed(buf, pos, pos);
    const nameStart = pos + NEWC_HEADER_SIZE;
    if (nameStart + namesize > buf.length) throw new UserError(`truncated cpio name at offset ${nameStart}`);
    const name = newcName(buf, nameStart, namesize);
    const dataStart = pos + newcDataOffset(namesize);
    if (dataStart + size > buf.length) throw new UserError(`truncated cpio data for '${name}' at offset ${dataStart}`);
    pos = dataStart + size + newcPad(size);
    if (name === NEWC_TRAILER) return { entries, end: Math.min(pos, buf.length) };
    entries.push({ name, mode, data: buf.subarray(dataStart, dataStart + size) });
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

interface CodeSync {
  codeSync(
    flush: number,
    input: Buffer,
    inOff: number,
    availIn: number,
    out: Buffer,
    outOff: number,
  ): [number, number, number];
  close(): void;
}

/** Decodes a buffer that must hold exactly one complete xz stream; undefined if it does not. */
function decodeExact(input: Buffer, maxOutput: number): Buffer | undefined {
  const engine = new Unxz();
  const lzma = (engine as unknown as { lzma: CodeSync }).lzma;
  const chunks: Buffer[] = [];
  let total = 0;
  let inOff = 0;
  let availIn = input.length;
  try {
    for (;;) {
      const out = Buffer.alloc(1024 * 1024);
      const [status, availInAfter, availOutAfter] = lzma.codeSync(LZMA_FINISH, input, inOff, availIn, out, 0);
      const produced = out.length - availOutAfter;
      if (produced > 0) {
        chunks.push(out.subarray(0, produced));
        total += produced;
        if (total > maxOutput) throw new UserError(`xz stream decompresses to more than ${maxOutput} bytes`);
      }
      inOff += availIn - availInAfter;
      availIn = availInAfter;
      if (status === LZMA_STREAM_END) return availIn === 0 ? Buffer.concat(chunks, total) : undefined;
      if (status !== LZMA_OK) return undefined;
      if (produced === 0 && availIn === 0) return undefined;
    }
  } finally {
    lzma.close();
  }
}

/** Decodes one xz stream starting at `input[0]`; returns the data and the compressed length. */
function unxzOne(input: Buffer, maxOutput = 4 * 1024 * 1024 * 1024): { data: Buffer; consumed: number } {
  if (input.length < 24 || !input.subarray(0, 6).equals(XZ_MAGIC))
    throw new UserError('unexpected end of compressed stream');
  const flags = input.readUInt16LE(6);
  let pos = input.indexOf('YZ', 12 + 10);
  while (pos !== -1) {
    const footer = pos - 10;
    if (
      footer % 4 === 0 &&
      crc32(input.subarray(footer + 4, footer + 10)) === input.readUInt32LE(footer) &&
      input.readUInt16LE(footer + 8) === flags
    ) {
      const data = decodeExact(input.subarray(0, pos + 2), maxOutput);
      if (data) return { data, consumed: pos + 2 };
    }
    pos = input.indexOf('YZ', pos + 1);
  }
  throw new UserError('unexpected end of compressed stream');
}

/** Visits every regular file of every archive, in order. */
export function walkInitrd(
  buf: Buffer,
  visit: (name: string, data: Buffer) => void,
  opts: InitrdReadOptions = {},
): void {
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
    const r =
      kind === 'gzip'
        ? gunzipOne(buf, pos, max)
        : kind === 'xz'
          ? unxzOne(buf.subarray(pos), max)
          : unzstdFrames(buf, pos, max);
    const archive = r.data;
    const next = pos + r.consumed;
    const { entries, end } = readNewc(archive, 0);
    for (const e of entries) if ((e.mode & S_IFMT) === S_IFREG) visit(e.name, e.data);
    assertZerosFrom(archive, end);
    pos = next;
  }
}

/** Path → contents of the kept regular files (last duplicate wins), sorted bytewise. */
export function readInitrd(
  buf: Buffer,
  filter: (path: string) => boolean = () => true,
  opts: InitrdReadOptions = {},
): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  walkInitrd(
    buf,
    (name, data) => {
      if (filter(name)) files.set(name, Buffer.from(data));
    },
    opts,
  );
  return new Map([...files.entries()].sort((a, b) => comparePaths(a[0], b[0])));
}
