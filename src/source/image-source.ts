/**
 * Where image bytes come from: a local file, a URL, or a stream's metadata. Each source knows
 * its description, file name, length when known, published sha256 when listed, how to open
 * its bytes (from an offset, for resume) and how to get its detached signature.
 * Location messages are upstream's, with NestOS naming.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { UserError, errorMessage, interruptedError } from '../errors.js';
import { httpGet } from '../http/fetch.js';
import { readHttpRange } from '../http/range-read.js';
import { readFileChunks } from '../io/file-chunks.js';
import { chunksOf } from '../io/stream-chunks.js';
import type { Reporter } from '../report.js';
import { DEFAULT_STREAM, DEFAULT_STREAM_BASE_URL } from '../stream/defaults.js';
import { fetchSignature } from './fetch-signature.js';

export interface OpenedImage {
  body: Readable;
  /** Offset the body starts at: the requested one, or 0 when the server ignored the Range. */
  start: number;
  /** URL after redirects (file sources: undefined). */
  finalUrl?: string;
  /** Total file length when known. */
  length?: number;
}

export interface ImageSource {
  description: string;
  /** File name: last URL segment (before redirects; download re-derives it after) or basename. */
  name: string;
  /** Artifact type from the stream (`disk`, `kernel`, ...); `disk` for a file or URL, as upstream. Labels progress. */
  type: string;
  length?: number;
  /** sha256 of the published (compressed) bytes, when the stream lists it. */
  sha256?: string;
  uncompressedSha256?: string;
  url?: string;
  /** Local path (file sources): lets the size be read from the file itself (xz index). */
  file?: string;
  /**
   * Bytes at an offset without reading the whole source (URL sources: a Range request), or
   * undefined when the server does not serve ranges.
   */
  readRange?(length: number, position: number): Promise<Buffer | undefined>;
  open(): Promise<Readable>;
  openAt(start: number): Promise<OpenedImage>;
  /**
   * The bytes one chunk at a time. Chunks are lent: valid until the next is asked for. An
   * abort ends a pending read (a stalled server) with the signal's reason.
   */
  openChunks(signal?: AbortSignal): Promise<AsyncIterable<Buffer>>;
  signature(): Promise<Uint8Array | undefined>;
}

export interface ResolveOptions {
  imageFile?: string;
  imageUrl?: string;
  stream?: string;
  arch: string;
  platform?: string;
  format: string;
  streamBaseUrl?: string;
  /** The OS's name in messages (the flavour's product name). */
  product: string;
  retries: number;
  reporter: Reporter;
}

/** Last path segment of a URL, decoded; used as the download file name. */
export function urlFileName(url: string): string {
  const segs = new URL(url).pathname.split('/');
  const last = decodeURIComponent(segs[segs.length - 1] ?? '');
  if (!last || last === '.' || last === '..' || last.includes('/') || last.includes('\0')) {
    throw new UserError(`cannot derive a file name from URL ${url}`);
  }
  return last;
}

/** Upstream's rule for `-u`: the signature URL is the image URL with `.sig` appended to its path. */
export function signatureUrlFor(url: string): string {
  const u = new URL(url);
  u.pathname += '.sig';
  return u.toString();
}

export function fileSource(path: string, reporter: Reporter): ImageSource {
  reporter.info(`Copying image from ${path}`);
  reporter.info(`Reading signature from ${path}.sig`);
  let length: number | undefined;
  // The length of a regular file (a block device's stat size is 0: unknown).
  const check = async (): Promise<number | undefined> => {
    const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new UserError(`image file ${path} does not exist`, { cause: err });
      throw new UserError(`reading image file ${path}`, { cause: err });
    });
    if (!st.isFile() && !st.isBlockDevice()) throw new UserError(`image file ${path} is not a regular file`);
    return st.isFile() ? st.size : undefined;
  };
  const openAt = async (start: number): Promise<OpenedImage> => {
    const size = await check();
    return { body: createReadStream(path, { start, highWaterMark: 1024 * 1024 }), start, length: size };
  };
  return {
    description: path,
    name: basename(path),
    type: 'disk',
    file: path,
    get length() {
      return length;
    },
    async open() {
      const opened = await openAt(0);
      length = opened.length;
      return opened.body;
    },
    openAt,
    async openChunks() {
      length = await check();
      return readFileChunks(path);
    },
    async signature() {
      try {
        return await readFile(`${path}.sig`);
      } catch (err) {
        reporter.warn(`Couldn't read signature file: ${errorMessage(err)}`);
        return undefined;
      }
    },
  };
}

interface UrlSourceOptions {
  url: string;
  signatureUrl?: string;
  type: string;
  sha256?: string;
  uncompressedSha256?: string;
  retries: number;
  reporter: Reporter;
}

export function urlSource(options: UrlSourceOptions): ImageSource {
  let length: number | undefined;
  const openAt = async (start: number): Promise<OpenedImage> => {
    const res = await httpGet(options.url, {
      retries: options.retries,
      reporter: options.reporter,
      rangeStart: start > 0 ? start : undefined,
      failMessage: (status) => `image fetch failed: ${status === 0 ? 'connection error' : status}`,
    });
    const actualStart = res.status === 206 ? start : 0;
    if (res.status !== 200 && res.status !== 206) {
      res.body.destroy();
      throw new UserError(`image fetch failed: ${res.status}`);
    }
    length = res.totalLength ?? (res.contentLength !== undefined ? res.contentLength + actualStart : undefined);
    return { body: res.body, start: actualStart, finalUrl: res.finalUrl, length };
  };
  return {
    description: options.url,
    name: urlFileName(options.url),
    type: options.type,
    get length() {
      return length;
    },
    sha256: options.sha256,
    uncompressedSha256: options.uncompressedSha256,
    url: options.url,
    open: async () => (await openAt(0)).body,
    openAt,
    async openChunks(signal?: AbortSignal) {
      const { body } = await openAt(0);
      const stop = () => body.destroy(interruptedError(signal));
      if (signal?.aborted) stop();
      signal?.addEventListener('abort', stop, { once: true });
      return chunksOf(body);
    },
    readRange: (size, position) =>
      readHttpRange(options.url, size, position, { retries: options.retries, reporter: options.reporter }),
    async signature() {
      if (!options.signatureUrl) return undefined;
      return fetchSignature(options.signatureUrl, { retries: options.retries, reporter: options.reporter });
    },
  };
}

/** Every artifact of the chosen format (pxe: kernel, initramfs, rootfs), sorted by type. */
export async function resolveImageSources(options: ResolveOptions): Promise<ImageSource[]> {
  if (options.imageFile) return [fileSource(options.imageFile, options.reporter)];
  if (options.imageUrl) {
    const sig = signatureUrlFor(options.imageUrl);
    options.reporter.info(`Downloading image from ${options.imageUrl}`);
    options.reporter.info(`Downloading signature from ${sig}`);
    return [
      urlSource({
        url: options.imageUrl,
        signatureUrl: sig,
        type: 'disk',
        retries: options.retries,
        reporter: options.reporter,
      }),
    ];
  }
  const stream = options.stream ?? DEFAULT_STREAM;
  const platform = options.platform ?? 'metal';
  const base = options.streamBaseUrl ?? DEFAULT_STREAM_BASE_URL;
  // Loaded on use: the schema library is only needed for stream sources.
  const { fetchStreamMetadata, findArtifacts } = await import('../stream/metadata.js');
  const meta = await fetchStreamMetadata(base, stream, { retries: options.retries, reporter: options.reporter });
  if (options.streamBaseUrl === undefined || options.streamBaseUrl === DEFAULT_STREAM_BASE_URL) {
    options.reporter.info(
      `Downloading ${options.product} ${stream} ${options.arch} ${platform} image (${options.format}) and signature`,
    );
  } else {
    options.reporter.info(
      `Downloading ${options.arch} ${platform} image (${options.format}) and signature referenced from ${meta.url}`,
    );
  }
  return findArtifacts(meta, options.arch, platform, options.format, meta.url).map((a) =>
    urlSource({
      url: a.location,
      signatureUrl: a.signature,
      type: a.type,
      sha256: a.sha256,
      uncompressedSha256: a.uncompressedSha256,
      retries: options.retries,
      reporter: options.reporter,
    }),
  );
}

/** One image (install): the format must have exactly one artifact. */
export async function resolveImageSource(options: ResolveOptions): Promise<ImageSource> {
  const sources = await resolveImageSources(options);
  if (sources.length !== 1) {
    throw new UserError(`format ${options.format} has ${sources.length} artifacts; expected one image`);
  }
  return sources[0]!;
}
