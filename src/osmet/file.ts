/**
 * Reads the front of an osmet file from disk: only as many bytes as the header (to select a
 * file) or header + body (to unpack) need, growing the read when the decoder runs out, never
 * past the end of the file. Decoding failures become upstream's "failed to deserialize osmet
 * file" with the precise cause below it.
 */
import { open } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { BincodeReader, TruncatedInputError } from '../formats/bincode.js';
import { type OsmetHeader, type ParsedOsmet, OsmetFormatError, decodeOsmet, decodeOsmetHeader } from './format.js';

const FIRST_READ = 64 * 1024;

async function decodePrefix<T>(path: string, decode: (buf: Buffer) => T): Promise<{ value: T; fileSize: number }> {
  const fh = await open(path, 'r').catch((err: unknown) => {
    throw new UserError(`opening ${path}`, { cause: err });
  });
  try {
    const fileSize = (await fh.stat()).size;
    let want = Math.min(FIRST_READ, fileSize);
    for (;;) {
      const buf = Buffer.alloc(want);
      const { bytesRead } = await fh.read(buf, 0, want, 0);
      if (bytesRead !== want) throw new UserError(`reading ${path}: file shrank while reading it`);
      try {
        return { value: decode(buf), fileSize };
      } catch (err) {
        if (!(err instanceof TruncatedInputError)) throw err;
        if (want === fileSize) throw new UserError('failed to deserialize osmet file', { cause: err });
        want = Math.min(fileSize, Math.max(want * 2, err.offset + err.needed));
      }
    }
  } finally {
    await fh.close();
  }
}

function deserializing<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    // Truncation is retried by the caller with more bytes; format errors are final.
    if (err instanceof TruncatedInputError || err instanceof OsmetFormatError) throw err;
    throw new UserError('failed to deserialize osmet file', { cause: err });
  }
}

/** The header only: enough to choose a file by architecture and sector size. */
export async function readOsmetHeader(path: string): Promise<OsmetHeader> {
  return (await decodePrefix(path, (buf) => deserializing(() => decodeOsmetHeader(new BincodeReader(buf))))).value;
}

export interface OsmetFile extends ParsedOsmet {
  path: string;
  fileSize: number;
}

/** Header and body, validated; the packed image is the xz stream from `dataOffset` to EOF. */
export async function readOsmetFile(path: string): Promise<OsmetFile> {
  const { value, fileSize } = await decodePrefix(path, (buf) => deserializing(() => decodeOsmet(buf)));
  if (value.dataOffset >= fileSize) throw new UserError(`${path}: no packed image after the osmet header`);
  return { ...value, path, fileSize };
}
