/**
 * The xz encoder for embedded initrd archives, on top of node-liblzma (the real liblzma, so bytes
 * match `xz -9 -C crc32 -T1`): preset 9, CRC32 check (the kernel's xz decoder needs CRC32),
 * single-threaded.
 */
import { check, xzSync } from 'node-liblzma';

export function xzCrc32(data: Buffer): Buffer {
  return xzSync(data, { preset: 9, check: check.CRC32, threads: 1 });
}
