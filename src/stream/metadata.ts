/** Fetching stream metadata and picking the artifacts of one (arch, platform, format). */
import { UserError } from '../errors.js';
import { httpGetBytes } from '../http/fetch.js';
import type { Reporter } from '../report.js';
import { parseStreamMetadata, type StreamMetadata } from './schema.js';
import { DEFAULT_STREAM, DEFAULT_STREAM_BASE_URL } from './defaults.js';

export { DEFAULT_STREAM, DEFAULT_STREAM_BASE_URL };

export interface Artifact {
  type: string;
  location: string;
  signature?: string;
  sha256?: string;
  uncompressedSha256?: string;
}

/** `<base>/<stream>.json`, joined as a relative URL like upstream (a base without `/` loses its last segment). */
export function streamUrl(baseUrl: string, stream: string): string {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new UserError(`invalid stream base URL '${baseUrl}' (expected http://, https:// or file://)`);
  }
  if (!['http:', 'https:', 'file:'].includes(base.protocol)) {
    throw new UserError(`unsupported stream base URL scheme '${base.protocol}' (expected http://, https:// or file://)`);
  }
  return new URL(`${encodeURIComponent(stream)}.json`, base).toString();
}

export async function fetchStreamMetadata(
  baseUrl: string,
  stream: string,
  options: { retries?: number; reporter?: Reporter } = {},
): Promise<StreamMetadata & { url: string }> {
  const url = streamUrl(baseUrl, stream);
  const bytes = await httpGetBytes(url, {
    retries: options.retries ?? 0,
    reporter: options.reporter,
    failMessage: (status) => `stream metadata fetch from ${url} failed: ${status === 0 ? 'connection error' : status}`,
  });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new UserError(`parsing stream metadata from ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { ...parseStreamMetadata(json, url), url };
}

/** obj[key] only for own keys (stream JSON keys such as "constructor" must not hit prototypes). */
function own<T>(obj: Record<string, T> | undefined, key: string): T | undefined {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** The artifacts of a format sorted by type name; relative locations resolve against `relativeTo`. */
export function findArtifacts(
  meta: StreamMetadata,
  arch: string,
  platform: string,
  format: string,
  relativeTo?: string,
): Artifact[] {
  const formats = own(own(own(meta.architectures, arch)?.artifacts, platform)?.formats, format);
  if (!formats || Object.keys(formats).length === 0) {
    throw new UserError(`couldn't find architecture ${arch}, platform ${platform}, format ${format} in stream metadata`);
  }
  const resolve = (u: string) => (relativeTo ? new URL(u, relativeTo).toString() : u);
  return Object.keys(formats)
    .sort()
    .map((type) => {
      const a = formats[type]!;
      return {
        type,
        location: resolve(a.location),
        signature: a.signature === undefined ? undefined : resolve(a.signature),
        sha256: a.sha256?.toLowerCase(),
        uncompressedSha256: a['uncompressed-sha256']?.toLowerCase(),
      };
    });
}
