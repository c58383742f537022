/**
 * Fetching stream metadata and picking the artifacts of one (arch, platform, format). The URLs
 * a feed lists must use a scheme its own origin allows: a feed fetched over http(s) may only
 * point to http(s) URLs (it must not make the tool read local files); a local file:// feed may
 * also point to file:// URLs.
 */
import { UserError, errorMessage } from '../errors.js';
import { httpGetBytes, HttpStatusError } from '../http/fetch.js';
import type { Reporter } from '../report.js';
import { parseStreamMetadata, type StreamMetadata } from './schema.js';
import { DEFAULT_STREAM, DEFAULT_STREAM_BASE_URL } from './defaults.js';
import { escapeControl } from './terminal-text.js';

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
    throw new UserError(
      `unsupported stream base URL scheme '${base.protocol}' (expected http://, https:// or file://)`,
    );
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
  }).catch((err: unknown) => {
    // No feed under that name: most often a mistyped -s.
    if (err instanceof HttpStatusError && err.status === 404) {
      throw new UserError(
        `unknown stream '${escapeControl(stream)}': check the name given with -s (\`list-stream -s NAME\` lists what a stream offers)`,
        { cause: err },
      );
    }
    throw err;
  });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new UserError(`parsing stream metadata from ${url}`, { cause: new Error(escapeControl(errorMessage(err))) });
  }
  return { ...parseStreamMetadata(json, url), url };
}

/** obj[key] only for own keys (stream JSON keys such as "constructor" must not hit prototypes). */
function own<T>(obj: Record<string, T> | undefined, key: string): T | undefined {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Schemes a feed's URLs may use, by the scheme the feed itself was read with. */
function allowedSchemes(feedUrl: string | undefined): string[] {
  const local = feedUrl !== undefined && new URL(feedUrl).protocol === 'file:';
  return local ? ['http:', 'https:', 'file:'] : ['http:', 'https:'];
}

/** A URL listed in the feed, resolved against the feed's own URL and checked against its scheme. */
function feedUrl(text: string, what: string, feed: string | undefined): string {
  let url: URL;
  try {
    url = feed === undefined ? new URL(text) : new URL(text, feed);
  } catch {
    throw new UserError(
      `stream metadata${feed ? ` from ${feed}` : ''} lists an invalid URL for the ${what}: '${escapeControl(text)}'`,
    );
  }
  const allowed = allowedSchemes(feed);
  if (!allowed.includes(url.protocol)) {
    throw new UserError(
      `stream metadata${feed ? ` from ${feed}` : ''} lists '${escapeControl(url.toString())}' for the ${what}: ` +
        (allowed.includes('file:')
          ? 'only http://, https:// and file:// URLs can be downloaded'
          : 'a feed fetched over http(s) may only list http:// or https:// URLs (file:// only from a local feed)'),
    );
  }
  return url.toString();
}

/**
 * The artifacts of a format sorted by type name; locations resolve against `relativeTo` (the
 * feed's URL, which also decides the allowed URL schemes; absent: http(s) URLs only).
 */
export function findArtifacts(
  meta: StreamMetadata,
  arch: string,
  platform: string,
  format: string,
  relativeTo?: string,
): Artifact[] {
  const platforms = own(meta.architectures, arch)?.artifacts;
  const formatsOfPlatform = own(platforms, platform)?.formats;
  const formats = own(formatsOfPlatform, format);
  if (!formats || Object.keys(formats).length === 0) {
    // What the stream does offer at the first level that did not match.
    const names = (obj: object | undefined) =>
      Object.keys(obj ?? {})
        .map(escapeControl)
        .sort()
        .join(', ') || 'none';
    const offered = !platforms
      ? `architectures in the stream: ${names(meta.architectures)}`
      : !formatsOfPlatform
        ? `platforms for ${escapeControl(arch)}: ${names(platforms)}`
        : `formats for ${escapeControl(arch)} ${escapeControl(platform)}: ${names(formatsOfPlatform)}`;
    throw new UserError(
      `couldn't find architecture ${arch}, platform ${platform}, format ${format} in stream metadata (${offered})`,
    );
  }
  return Object.keys(formats)
    .sort()
    .map((type) => {
      const a = formats[type]!;
      const label = escapeControl(type);
      return {
        type: label,
        location: feedUrl(a.location, `${label} artifact`, relativeTo),
        signature: a.signature === undefined ? undefined : feedUrl(a.signature, `${label} signature`, relativeTo),
        sha256: a.sha256?.toLowerCase(),
        uncompressedSha256: a['uncompressed-sha256']?.toLowerCase(),
      };
    });
}
