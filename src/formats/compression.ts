/**
 * The compressed formats images and initrd archives come in, told apart by their magic bytes:
 * gzip (`1f 8b`), xz (`fd 37 7a 58 5a 00`), zstd (a frame or skippable-frame magic), or none.
 */
export type Compression = 'gzip' | 'xz' | 'zstd' | 'none';

export const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/** True when the 4 bytes at `off` are a zstd frame or skippable-frame magic (LE). */
export function isZstdMagic(buf: Uint8Array, off = 0): boolean {
  if (buf.length < off + 4) return false;
  const m = (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24)) >>> 0;
  return m === 0xfd2fb528 || (m & 0xfffffff0) >>> 0 === 0x184d2a50;
}

/** Which format the bytes at `off` start (6 bytes are enough to tell). */
export function sniffCompression(buf: Uint8Array, off = 0): Compression {
  if (buf.length >= off + 2 && buf[off] === 0x1f && buf[off + 1] === 0x8b) return 'gzip';
  if (buf.length >= off + XZ_MAGIC.length && XZ_MAGIC.every((b, i) => buf[off + i] === b)) return 'xz';
  if (isZstdMagic(buf, off)) return 'zstd';
  return 'none';
}
