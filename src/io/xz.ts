/**
 * xz helpers on top of node-liblzma (the real liblzma, so bytes match `xz -9 -C crc32 -T1`).
 * `xzCrc32` is the encoder for embedded initrd archives: preset 9, CRC32 check (the kernel's xz
 * decoder needs CRC32), single-threaded. `unxzOne` decodes exactly one xz stream from the front of
 * a buffer and reports its compressed length, which the concatenated-initrd reader needs.
 *
 * node-liblzma's native decoder always runs in LZMA_CONCATENATED mode (it would swallow stream
 * padding and following streams), so the end of the first stream is found from its footer
 * (12 bytes: CRC32, backward size, flags, "YZ", 4-byte aligned, CRC-checked) and then confirmed by
 * decoding exactly that prefix to LZMA_STREAM_END.
 */
import { crc32 } from 'node:zlib';
import { Unxz, check, xzSync, LZMA_FINISH, LZMA_OK, LZMA_STREAM_END } from 'node-liblzma';
import { UserError } from '../errors.js';
import { XZ_MAGIC } from '../formats/compression.js';


export function xzCrc32(data: Buffer): Buffer {
  return xzSync(data, { preset: 9, check: check.CRC32, threads: 1 });
}

interface CodeSync {
  codeSync(flush: number, input: Buffer, inOff: number, availIn: number, out: Buffer, outOff: number): [number, number, number];
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
export function unxzOne(input: Buffer, maxOutput = 4 * 1024 * 1024 * 1024): { data: Buffer; consumed: number } {
  if (input.length < 24 || !input.subarray(0, 6).equals(XZ_MAGIC)) throw new UserError('unexpected end of compressed stream');
  const flags = input.readUInt16LE(6);
  let pos = input.indexOf('YZ', 12 + 10);
  while (pos !== -1) {
    const footer = pos - 10;
    if (footer % 4 === 0 && crc32(input.subarray(footer + 4, footer + 10)) === input.readUInt32LE(footer) && input.readUInt16LE(footer + 8) === flags) {
      const data = decodeExact(input.subarray(0, pos + 2), maxOutput);
      if (data) return { data, consumed: pos + 2 };
    }
    pos = input.indexOf('YZ', pos + 1);
  }
  throw new UserError('unexpected end of compressed stream');
}
