/**
 * HTTP(S) GET on node:http (node-get.ts says why not undici), plus file:// for local feeds.
 * Retries with exponential backoff (1 s doubling, capped at 600 s) on connection errors and
 * 408/429/500/502/503/504, as upstream; redirects are followed by hand so the final URL is
 * known (download names the file after it). Redirects go to http(s) URLs only, and never from
 * https to http when the caller says so (Ignition). Retries only cover getting the response
 * headers: a failure mid-body is the caller's (download resumes it with a Range request, see
 * rangeStart). A 206 is used only when its Content-Range starts where it was asked to.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import type { Reporter } from '../report.js';
import { bodyExtent } from './content-range.js';
import { closeAgents, type GetTimeouts, nodeGet } from './node-get.js';

export interface HttpTimeouts {
  /** TCP/TLS connect timeout. */
  connectMs?: number;
  /** No byte received for this long (headers or body) fails the request. */
  idleMs?: number;
}

export interface HttpGetOptions {
  /** Attempts beyond the first; Infinity for `--fetch-retries infinite`. */
  retries?: number;
  reporter?: Reporter;
  /** Ask for bytes from this offset on (`Range: bytes=N-`); the answer may be 206 or 200. */
  rangeStart?: number;
  timeouts?: HttpTimeouts;
  /** Error text for a non-2xx status (default `fetch from <url> failed: <status>`). */
  failMessage?: (status: number, url: string) => string;
  /** Refuse a redirect from https to http (the bytes would then travel unprotected). */
  httpsOnlyRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  finalUrl: string;
  /** Length of this body (not of the whole file for a 206). */
  contentLength?: number;
  /** For a 206: the first byte's offset from Content-Range, when given. */
  rangeStart?: number;
  /** For a 206: the total size from Content-Range, when given. */
  totalLength?: number;
  body: Readable;
}

/** Non-2xx answer, after retries. */
export class HttpStatusError extends UserError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpStatusError';
  }
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
const MAX_REDIRECTS = 10;
const MAX_BACKOFF_MS = 600_000;

function envMs(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function timeoutsFor(t: HttpTimeouts | undefined): GetTimeouts {
  return {
    connectMs: t?.connectMs ?? envMs('NESTOS_INSTALLER_CONNECT_TIMEOUT_MS', 30_000),
    idleMs: t?.idleMs ?? envMs('NESTOS_INSTALLER_IDLE_TIMEOUT_MS', 60_000),
  };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

async function getFile(url: string, opts: HttpGetOptions): Promise<HttpResponse> {
  const path = fileURLToPath(url);
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') {
      throw new HttpStatusError(404, opts.failMessage?.(404, url) ?? `fetch from ${url} failed: no such file`);
    }
    throw new UserError(`reading ${path}`, { cause: err });
  });
  const start = Math.min(opts.rangeStart ?? 0, st.size);
  return {
    status: start > 0 ? 206 : 200,
    finalUrl: url,
    contentLength: st.size - start,
    rangeStart: start,
    totalLength: st.size,
    body: createReadStream(path, { start, highWaterMark: 256 * 1024 }),
  };
}

/** Where a redirect from `from` to `location` leads, when the policy allows it. */
function redirectTarget(from: string, location: string, opts: HttpGetOptions): string {
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    throw new UserError(`${from} redirected to an invalid URL`);
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:') {
    throw new UserError(
      `refusing the redirect from ${from} to ${to.protocol} URL: only http:// and https:// redirects are followed`,
    );
  }
  if (opts.httpsOnlyRedirects && from.startsWith('https:') && to.protocol === 'http:') {
    throw new UserError(`refusing the redirect from ${from} to ${to.toString()}: it would leave https for plain http`);
  }
  return to.toString();
}

/** One GET following redirects by hand; returns the first non-redirect answer. */
async function getOnce(url: string, opts: HttpGetOptions): Promise<HttpResponse> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = { 'user-agent': 'nestos-installer' };
    if (opts.rangeStart) headers.range = `bytes=${opts.rangeStart}-`;
    const res = await nodeGet(current, headers, timeoutsFor(opts.timeouts));
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if ([301, 302, 303, 307, 308].includes(status) && typeof location === 'string') {
      res.resume();
      current = redirectTarget(current, location, opts);
      continue;
    }
    let extent;
    try {
      extent = bodyExtent(
        status,
        { contentLength: res.headers['content-length'], contentRange: res.headers['content-range'] },
        opts.rangeStart || undefined,
      );
    } catch (err) {
      res.destroy();
      throw err;
    }
    return { status, finalUrl: current, ...extent, body: res };
  }
  throw new UserError(`too many redirects (more than ${MAX_REDIRECTS})`);
}

export async function httpGet(url: string, opts: HttpGetOptions = {}): Promise<HttpResponse> {
  if (url.startsWith('file:')) return getFile(url, opts);
  if (!/^https?:/i.test(url)) throw new UserError(`unsupported URL scheme: ${url} (use http://, https:// or file://)`);
  const retries = opts.retries ?? 0;
  let delay = envMs('NESTOS_INSTALLER_RETRY_BASE_MS', 1000);
  for (let attempt = 0; ; attempt++) {
    let problem: string;
    let status: number | undefined;
    try {
      const res = await getOnce(url, opts).catch((err: unknown) => {
        throw err instanceof UserError ? new UserError(`fetching ${url}`, { cause: err }) : err;
      });
      if (res.status >= 200 && res.status < 300) return res;
      res.body.resume();
      if (!RETRYABLE.has(res.status)) {
        throw new HttpStatusError(
          res.status,
          opts.failMessage?.(res.status, url) ?? `fetch from ${url} failed: ${res.status}`,
        );
      }
      status = res.status;
      problem = `HTTP status ${res.status}`;
    } catch (err) {
      if (err instanceof UserError) throw err;
      problem = describe(err);
      if (attempt >= retries) throw new UserError(`fetching ${url}`, { cause: err });
    }
    if (attempt >= retries) {
      throw new HttpStatusError(
        status ?? 0,
        opts.failMessage?.(status ?? 0, url) ?? `fetch from ${url} failed: ${status}`,
      );
    }
    opts.reporter?.warn(`Error fetching '${url}': ${problem}`);
    opts.reporter?.warn(`Sleeping ${formatSeconds(delay)} and retrying...`);
    await sleep(delay);
    delay = Math.min(delay * 2, MAX_BACKOFF_MS);
  }
}

/** GET a small document (stream JSON, signature) into memory, with a size cap. */
export async function httpGetBytes(url: string, opts: HttpGetOptions & { maxBytes?: number } = {}): Promise<Buffer> {
  const res = await httpGet(url, opts);
  const max = opts.maxBytes ?? 64 * 1024 * 1024;
  const tooLarge = () => new UserError(`response from ${url} is larger than ${max} bytes`);
  if (res.contentLength !== undefined && res.contentLength > max) {
    res.body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      n += chunk.length;
      if (n > max) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (err) {
    res.body.destroy();
    throw err instanceof UserError ? err : new UserError(`reading the response from ${url}`, { cause: err });
  }
  return Buffer.concat(chunks, n);
}

/** Closes pooled connections so a CLI run can exit promptly. */
export async function closeHttp(): Promise<void> {
  closeAgents();
}
