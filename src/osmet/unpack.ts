/**
 * Rebuilds the disk image an osmet file describes, strictly in order from byte 0: the gaps
 * between mapped extents come from the packed image (the file's xz stream, decoded on the
 * fly), each mapped extent from its OSTree object in the repo (zero-filled past the object's
 * end, which is the block-rounded tail of its last extent). Every byte is hashed; the total
 * length and the sha256 are checked against the file at the end, so a damaged packed image or
 * repo fails the last read (the installer writes the first MiB only after that).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, interruptedError } from '../errors.js';
import { ExactReader, decodedChunks } from '../decode/exact-reader.js';
import { XZ_MAGIC } from '../formats/compression.js';
import { type Mapping, objectHex } from './format.js';
import type { OsmetFile } from './file.js';

const CHUNK = 1024 * 1024;

/** What rebuilding needs of an osmet file. */
export type PackedSource = Pick<OsmetFile, 'path' | 'dataOffset' | 'body'>;

/** Path of an object in a bare repo: objects/XX/<62 hex>.file */
export function objectPath(repo: string, object: Buffer): string {
  const hex = objectHex(object);
  return join(repo, 'objects', hex.slice(0, 2), `${hex.slice(2)}.file`);
}

/** The decoded packed image: the xz stream from `dataOffset` to the end of the file. */
async function* packedImage(file: PackedSource): AsyncGenerator<Buffer> {
  const fh = await open(file.path, 'r');
  try {
    const magic = Buffer.alloc(XZ_MAGIC.length);
    const { bytesRead } = await fh.read(magic, 0, magic.length, file.dataOffset);
    if (bytesRead !== magic.length || !magic.equals(XZ_MAGIC))
      throw new UserError(`${file.path}: the packed image is not an xz stream`);
  } finally {
    await fh.close();
  }
  yield* decodedChunks(createReadStream(file.path, { start: file.dataOffset, highWaterMark: CHUNK }));
}

/** One mapped extent's bytes from its object file (zeros past the object's end). */
async function* extentBytes(repo: string, m: Mapping, buf: Buffer): AsyncGenerator<Buffer> {
  const path = objectPath(repo, m.object);
  const fh = await open(path, 'r').catch((err: unknown) => {
    throw new UserError(`opening "${path}"`, { cause: err });
  });
  try {
    const size = (await fh.stat()).size;
    if (m.extent.logical > size)
      throw new UserError(`object ${path} (${size} bytes) is shorter than its mapping offset ${m.extent.logical}`);
    let pos = m.extent.logical;
    let left = m.extent.length;
    while (left > 0 && pos < size) {
      const want = Math.min(left, buf.length, size - pos);
      const { bytesRead } = await fh.read(buf, 0, want, pos);
      if (bytesRead === 0) throw new UserError(`reading "${path}": file shrank while reading it`);
      pos += bytesRead;
      left -= bytesRead;
      yield buf.subarray(0, bytesRead);
    }
    if (left > 0) {
      const zeros = Buffer.alloc(Math.min(left, buf.length));
      while (left > 0) {
        const n = Math.min(left, zeros.length);
        left -= n;
        yield zeros.subarray(0, n);
      }
    }
  } finally {
    await fh.close();
  }
}

/**
 * The rebuilt image, chunk by chunk. Chunks are lent: valid until the next one is asked for.
 * Throws at the end (after the last byte) when the length or the sha256 does not match.
 */
export async function* rebuildImage(file: PackedSource, repo: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  const objectBuf = Buffer.allocUnsafe(CHUNK);
  const packed = new ExactReader(packedImage(file));
  let total = 0;
  async function* counted(pieces: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
    for await (const piece of pieces) {
      if (signal?.aborted) throw interruptedError(signal);
      hash.update(piece);
      total += piece.length;
      yield piece;
    }
  }
  try {
    let cursor = 0;
    for (const p of file.body.partitions) {
      yield* counted(packed.take(p.startOffset - cursor));
      let pc = p.startOffset;
      for (const m of p.mappings) {
        const s = p.startOffset + m.extent.physical;
        if (pc < s) yield* counted(packed.take(s - pc));
        pc = s;
        yield* counted(extentBytes(repo, m, objectBuf));
        pc += m.extent.length;
      }
      yield* counted(packed.take(p.endOffset - pc));
      cursor = p.endOffset;
    }
    // Validation put every partition inside the image: the rest is the image's tail.
    yield* counted(packed.take(file.body.size - cursor));
    if (await packed.more())
      throw new UserError(`the packed image holds more than the ${file.body.size} bytes of the image`);
    if (total !== file.body.size) throw new UserError(`wrote ${total} bytes but expected ${file.body.size}`);
    const got = hash.digest();
    if (!got.equals(file.body.checksum)) {
      throw new UserError(
        `expected final checksum ${file.body.checksum.toString('hex')}, but got ${got.toString('hex')}`,
      );
    }
  } catch (err) {
    if (signal?.aborted) throw interruptedError(signal);
    throw new UserError('while unpacking', { cause: err });
  }
}
