/**
 * The uncompressed size of an .xz file from its indexes, without decoding it: each stream ends
 * with an index (one record per block: unpadded size, uncompressed size) and a footer giving
 * the index's size. Streams are walked from the end of the file backwards (concatenated
 * streams and stream padding included). Every size and offset read from the file is checked
 * against the file and against the CRC32s before it is used; anything inconsistent is an error.
 */
import { crc32 } from 'node:zlib';
import { UserError } from '../errors.js';

/** Positional reader over the file; may return fewer bytes only at the end of the file. */
export type ReadAt = (length: number, position: number) => Promise<Buffer>;

const HEADER_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const FOOTER_MAGIC = Buffer.from([0x59, 0x5a]);
const HEADER_SIZE = 12;
const FOOTER_SIZE = 12;
/** Largest index read into memory (a 1 MiB-block index of a multi-TiB image is far smaller). */
const MAX_INDEX = 16 * 1024 * 1024;

function corrupt(why: string): UserError {
  return new UserError(`reading xz index: ${why}`);
}

/** An .xz file is a multiple of four bytes and ends with a stream footer: either missing means this. */
const NO_END = 'no xz stream footer at the end of the file (truncated, or other data after the xz stream)';

/** xz's variable-length integer (7 bits per byte, at most 9 bytes); returns [value, next offset]. */
function readVli(buf: Buffer, offset: number): [number, number] {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    const pos = offset + i;
    if (pos >= buf.length) throw corrupt('index record runs past the index');
    const b = buf[pos]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if (!Number.isSafeInteger(value)) throw corrupt('size too large');
    if ((b & 0x80) === 0) {
      if (i > 0 && b === 0) throw corrupt('integer not minimally encoded');
      return [value, pos + 1];
    }
  }
  throw corrupt('integer longer than 9 bytes');
}

async function readExact(read: ReadAt, length: number, position: number): Promise<Buffer> {
  const buf = await read(length, position);
  if (buf.length !== length) throw corrupt(`short read at offset ${position}`);
  return buf;
}

/** Parses one index; returns the sum of uncompressed sizes and of the blocks' padded sizes. */
function parseIndex(index: Buffer): { uncompressed: number; blocks: number } {
  if (index[0] !== 0x00) throw corrupt('index indicator missing');
  const body = index.subarray(0, index.length - 4);
  if (crc32(body) !== index.readUInt32LE(index.length - 4)) throw corrupt('index CRC32 mismatch');
  let [records, pos] = readVli(body, 1);
  let uncompressed = 0;
  let blocks = 0;
  for (; records > 0; records--) {
    let unpadded: number;
    let size: number;
    [unpadded, pos] = readVli(body, pos);
    [size, pos] = readVli(body, pos);
    if (unpadded < 5) throw corrupt('block smaller than its header');
    blocks += Math.ceil(unpadded / 4) * 4;
    uncompressed += size;
    if (!Number.isSafeInteger(uncompressed) || !Number.isSafeInteger(blocks)) throw corrupt('size too large');
  }
  const padding = body.subarray(pos);
  // The index is a multiple of four bytes long: what follows the records is 0-3 null bytes.
  if (padding.length > 3 || padding.some((b) => b !== 0)) throw corrupt('index padding is wrong');
  return { uncompressed, blocks };
}

/** The decoded size of the whole .xz file of `fileSize` bytes. */
export async function xzUncompressedSize(read: ReadAt, fileSize: number): Promise<number> {
  if (fileSize % 4 !== 0) throw corrupt(NO_END);
  let end = fileSize;
  let total = 0;
  let streams = 0;
  while (end > 0) {
    // Stream padding: null bytes in multiples of four between and after streams.
    const tail = await readExact(read, 4, end - 4);
    if (tail.readUInt32LE(0) === 0) {
      end -= 4;
      continue;
    }
    if (end < HEADER_SIZE + FOOTER_SIZE) throw corrupt('truncated stream');
    const footer = await readExact(read, FOOTER_SIZE, end - FOOTER_SIZE);
    if (!footer.subarray(10, 12).equals(FOOTER_MAGIC)) throw corrupt(NO_END);
    if (crc32(footer.subarray(4, 10)) !== footer.readUInt32LE(0)) throw corrupt('stream footer CRC32 mismatch');
    const indexSize = (footer.readUInt32LE(4) + 1) * 4;
    const indexStart = end - FOOTER_SIZE - indexSize;
    if (indexSize > MAX_INDEX) throw corrupt(`index of ${indexSize} bytes is too large`);
    if (indexStart < HEADER_SIZE) throw corrupt('index starts before the stream');
    const { uncompressed, blocks } = parseIndex(await readExact(read, indexSize, indexStart));
    const start = indexStart - blocks - HEADER_SIZE;
    if (start < 0) throw corrupt('blocks start before the file');
    const header = await readExact(read, HEADER_SIZE, start);
    if (!header.subarray(0, 6).equals(HEADER_MAGIC))
      throw corrupt('stream header magic missing where the index says a stream starts');
    if (!header.subarray(6, 8).equals(footer.subarray(8, 10))) throw corrupt('stream header and footer flags differ');
    total += uncompressed;
    if (!Number.isSafeInteger(total)) throw corrupt('size too large');
    end = start;
    streams++;
  }
  if (streams === 0) throw corrupt('no xz stream found');
  return total;
}
