/**
 * The bincode 1.x encoding that upstream's osmet files and miniso.dat use: little-endian,
 * variable-length integers (one byte up to 250, else a FB/FC/FD tag and a u16/u32/u64), `u8`
 * and fixed arrays as raw bytes, strings and vectors prefixed with a varint length, structs as
 * their fields in order. The reader checks every length against the bytes it holds; running
 * out of bytes is a TruncatedInputError, so a caller reading a file piecewise can fetch more.
 */
import { UserError } from '../errors.js';

const TAG_U16 = 0xfb;
const TAG_U32 = 0xfc;
const TAG_U64 = 0xfd;
const MAX_U32 = 0xffffffff;

/** The data ended before the value at `offset` was complete. */
export class TruncatedInputError extends UserError {
  constructor(
    readonly offset: number,
    readonly needed: number,
  ) {
    super(`unexpected end of data at offset ${offset} (${needed} more bytes needed)`);
    this.name = 'TruncatedInputError';
  }
}

export class BincodeReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
  ) {
    this.pos = start;
  }

  /** Offset of the next unread byte. */
  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private take(n: number): Buffer {
    if (n > this.remaining) throw new TruncatedInputError(this.pos, n - this.remaining);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u8(): number {
    return this.take(1)[0]!;
  }

  /** A varint as a bigint (0 … 2⁶⁴−1); the u128 tag and the reserved tag are refused. */
  private varint(): bigint {
    const at = this.pos;
    const tag = this.u8();
    if (tag <= 250) return BigInt(tag);
    if (tag === TAG_U16) return BigInt(this.take(2).readUInt16LE(0));
    if (tag === TAG_U32) return BigInt(this.take(4).readUInt32LE(0));
    if (tag === TAG_U64) return this.take(8).readBigUInt64LE(0);
    throw new UserError(`invalid integer tag 0x${tag.toString(16)} at offset ${at}`);
  }

  u32(): number {
    const at = this.pos;
    const v = this.varint();
    if (v > BigInt(MAX_U32)) throw new UserError(`invalid u32 ${v} at offset ${at}`);
    return Number(v);
  }

  /**
   * A u64 that must be usable as a byte offset or length here (≤ 2⁵³−1); anything larger
   * could not describe a real disk or file.
   */
  u64(): number {
    const at = this.pos;
    const v = this.varint();
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new UserError(`u64 ${v} at offset ${at} is too large for a byte offset or length`);
    return Number(v);
  }

  /** `n` raw bytes (a fixed-size array); a view, not a copy. */
  fixed(n: number): Buffer {
    return this.take(n);
  }

  /** A length-prefixed byte vector; a view, not a copy. */
  bytes(): Buffer {
    const at = this.pos;
    const len = this.u64();
    if (len > this.remaining) throw new TruncatedInputError(at, len - this.remaining);
    return this.take(len);
  }

  string(): string {
    const at = this.pos;
    const raw = this.bytes();
    const text = raw.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(raw)) throw new UserError(`string at offset ${at} is not valid UTF-8`);
    return text;
  }

  /**
   * A vector's element count, checked against the bytes left: every element takes at least
   * `minElementSize` bytes, so a count that cannot fit is refused before any element is read.
   */
  count(minElementSize: number): number {
    const at = this.pos;
    const n = this.u64();
    const needed = n * minElementSize;
    if (needed > this.remaining) throw new TruncatedInputError(at, needed - this.remaining);
    return n;
  }
}

/** Builds an encoding in the shortest varint form (what upstream writes). */
export class BincodeWriter {
  private readonly parts: Buffer[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  private push(b: Buffer): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }

  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`u8 out of range: ${v}`);
    return this.push(Buffer.from([v]));
  }

  private varint(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`u64 out of range: ${v}`);
    if (v <= 250n) return this.push(Buffer.from([Number(v)]));
    if (v <= 0xffffn) {
      const b = Buffer.alloc(3);
      b[0] = TAG_U16;
      b.writeUInt16LE(Number(v), 1);
      return this.push(b);
    }
    if (v <= 0xffffffffn) {
      const b = Buffer.alloc(5);
      b[0] = TAG_U32;
      b.writeUInt32LE(Number(v), 1);
      return this.push(b);
    }
    const b = Buffer.alloc(9);
    b[0] = TAG_U64;
    b.writeBigUInt64LE(v, 1);
    return this.push(b);
  }

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > MAX_U32) throw new RangeError(`u32 out of range: ${v}`);
    return this.varint(BigInt(v));
  }

  u64(v: number | bigint): this {
    if (typeof v === 'number' && (!Number.isSafeInteger(v) || v < 0)) throw new RangeError(`u64 out of range: ${v}`);
    return this.varint(BigInt(v));
  }

  fixed(b: Buffer, n: number): this {
    if (b.length !== n) throw new RangeError(`expected ${n} bytes, got ${b.length}`);
    return this.push(Buffer.from(b));
  }

  bytes(b: Buffer): this {
    return this.u64(b.length).push(Buffer.from(b));
  }

  string(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}
