/**
 * A real node:http server on 127.0.0.1 for download tests, with fault injection per path:
 * N failures (500 by default) then success, fixed statuses (404), dropping the connection
 * after K body bytes, stalling after K bytes, pausing after K bytes until released, redirects,
 * and Range requests (206/416).
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  /** Content: bytes in memory, or a file on disk (for big artifacts). */
  body?: Buffer | string;
  file?: string;
  /** Always answer with this status (e.g. 404). */
  status?: number;
  /** The first `failFirst` requests get `failStatus` (default 500). */
  failFirst?: number;
  failStatus?: number;
  /** Drop the connection after this many body bytes, for the first `dropTimes` (default 1) requests. */
  dropAfter?: number;
  dropTimes?: number;
  /** Stop sending (but keep the connection open) after this many body bytes. */
  stallAfter?: number;
  /** Send this many body bytes, then the rest once `resume` settles. */
  pauseAfter?: number;
  resume?: Promise<void>;
  /** Answer 302 to this location (path or URL). */
  redirectTo?: string;
  /** Ignore Range headers (answer 200 with the whole body). Default: Range supported. */
  noRange?: boolean;
}

export interface RequestLog {
  path: string;
  range?: string;
  status: number;
}

export interface TestServer {
  url: string;
  route(path: string, route: Route): void;
  requests: RequestLog[];
  /** Number of requests to `path`. */
  count(path: string): number;
  close(): Promise<void>;
}

function sizeOf(r: Route): number {
  if (r.file) return statSync(r.file).size;
  return Buffer.byteLength(r.body ?? '');
}

function sendSlice(
  r: Route,
  res: ServerResponse,
  start: number,
  end: number,
  limit: number | undefined,
  after: () => void,
): void {
  const stop = limit === undefined ? end : Math.min(end, start + limit);
  if (r.file) {
    if (stop <= start) return after();
    const s = createReadStream(r.file, { start, end: stop - 1, highWaterMark: 1024 * 1024 });
    s.pipe(res, { end: false });
    s.on('end', after);
    return;
  }
  const buf = Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body ?? '');
  res.write(buf.subarray(start, stop), after);
}

export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Route>();
  const counts = new Map<string, number>();
  const requests: RequestLog[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    const log: RequestLog = { path, range: req.headers.range, status: 0 };
    requests.push(log);
    const reply = (status: number, headers: Record<string, string | number> = {}, body?: string) => {
      log.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    const r = routes.get(path);
    if (!r) return reply(404, {}, 'not found\n');
    if (r.redirectTo) return reply(302, { location: r.redirectTo });
    if (r.status) return reply(r.status, {}, `status ${r.status}\n`);
    if (r.failFirst && n <= r.failFirst) return reply(r.failStatus ?? 500, {}, 'failing on purpose\n');

    const size = sizeOf(r);
    let start = 0;
    let status = 200;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && !r.noRange) {
      start = Number(m[1]);
      if (start >= size) return reply(416, { 'content-range': `bytes */${size}` });
      status = 206;
    }
    const headers: Record<string, string | number> = {
      'content-length': size - start,
      'content-type': 'application/octet-stream',
    };
    if (status === 206) headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    log.status = status;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return res.end();

    const dropping = r.dropAfter !== undefined && n <= (r.dropTimes ?? 1);
    if (dropping) return sendSlice(r, res, start, size, r.dropAfter, () => res.socket?.destroy());
    if (r.stallAfter !== undefined) return sendSlice(r, res, start, size, r.stallAfter, () => undefined);
    if (r.pauseAfter !== undefined) {
      const rest = start + r.pauseAfter;
      return sendSlice(r, res, start, size, r.pauseAfter, () => {
        void r.resume?.then(() => sendSlice(r, res, rest, size, undefined, () => res.end()));
      });
    }
    sendSlice(r, res, start, size, undefined, () => res.end());
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    route: (path, route) => void routes.set(path.startsWith('/') ? path : `/${path}`, route),
    requests,
    count: (path) => counts.get(path.startsWith('/') ? path : `/${path}`) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
