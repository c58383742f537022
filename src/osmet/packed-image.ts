/**
 * Writes the packed image of a disk: its bytes in order with every mapped extent left out (not
 * zeroed), xz-compressed (upstream's easy encoder: preset 9, or 0 when fast; CRC64; one
 * stream) into a file. Bytes written plus bytes skipped must equal the device size.
 */
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { check, createXz } from 'node-liblzma';
import { UserError } from '../errors.js';
import type { Reporter } from '../report.js';
import type { OsmetPartition } from './format.js';

const CHUNK = 1024 * 1024;

/** The byte ranges [start, end) of the disk that go into the packed image, in order. */
export function packedRanges(partitions: readonly OsmetPartition[], size: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let cursor = 0;
  for (const p of partitions) {
    if (p.startOffset < cursor) throw new UserError(`partition at ${p.startOffset} starts before ${cursor}`);
    let pc = p.startOffset;
    ranges.push([cursor, pc]);
    for (const m of p.mappings) {
      const s = p.startOffset + m.extent.physical;
      ranges.push([pc, s]);
      pc = s + m.extent.length;
    }
    ranges.push([pc, p.endOffset]);
    cursor = p.endOffset;
  }
  ranges.push([cursor, size]);
  return ranges.filter(([a, b]) => b > a);
}

async function* readRanges(device: string, ranges: Array<[number, number]>): AsyncGenerator<Buffer> {
  const fh = await open(device, 'r');
  try {
    for (const [start, end] of ranges) {
      for (let pos = start; pos < end;) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, end - pos));
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) throw new UserError(`reading ${device}: unexpected end at offset ${pos}`);
        pos += bytesRead;
        yield buf.subarray(0, bytesRead);
      }
    }
  } finally {
    await fh.close();
  }
}

export interface PackedStats {
  written: number;
  skipped: number;
  compressed: number;
}

export async function writePackedImage(
  device: string,
  size: number,
  partitions: readonly OsmetPartition[],
  dest: string,
  opts: { fast: boolean; reporter: Reporter },
): Promise<PackedStats> {
  const ranges = packedRanges(partitions, size);
  const written = ranges.reduce((n, [a, b]) => n + (b - a), 0);
  const skipped = partitions.reduce((n, p) => n + p.mappings.reduce((k, m) => k + m.extent.length, 0), 0);
  if (written + skipped !== size) {
    throw new UserError(`bytes written + bytes skipped != block device size: ${written} + ${skipped} vs ${size}`);
  }
  const out = createWriteStream(dest, { flags: 'wx', mode: 0o600 });
  await pipeline(
    Readable.from(readRanges(device, ranges)),
    createXz({ preset: opts.fast ? 0 : 9, check: check.CRC64, threads: 1 }),
    out,
  );
  const compressed = out.bytesWritten;
  opts.reporter.info(`Total bytes skipped: ${skipped}`);
  opts.reporter.info(`Total bytes written: ${written}`);
  opts.reporter.info(`Total bytes written (compressed): ${compressed}`);
  return { written, skipped, compressed };
}
