/**
 * One HTTP(S) GET on node:http, with connect / headers / body-idle timeouts and pooled
 * keep-alive connections, directly or through the proxy the environment names (proxy.ts).
 *
 * Why not undici: undici 7 (the last line for Node 20; the fix is in undici 8, Node >= 22)
 * pauses its parser with the socket's bytes already read when the body's consumer applies
 * backpressure; if the server then closes the connection (HTTP/1.0 or `Connection: close`,
 * e.g. python3 -m http.server) while the parser is paused on the last body bytes, its
 * `end` handler throws `assert(!this.paused)` in Parser.finish: an uncaught exception that
 * kills the process mid-download (seen as "bench_download: downloaded bytes differ" under
 * disk load; 4 crashes in 74 downloads of 256 MiB). node:http instead stops reading the
 * socket and never holds parsed-but-undelivered bytes, so EOF is only seen after every body
 * byte was handed over, and a short body is an `aborted` error.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { closeProxyAgents, describeProxy, proxyAgent, proxyFor, type ProxyChoice } from './proxy.js';

export interface GetTimeouts {
  connectMs: number;
  /** Nothing received for this long, while we were waiting for the server, fails the request. */
  idleMs: number;
}

/** A connect, headers or body-idle timeout (transport failure: a download may resume after it). */
export class HttpTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(kind: 'Connect' | 'Headers' | 'Body', ms: number) {
    super(`${kind.toLowerCase()} timeout: nothing received for ${ms} ms`);
    this.name = `${kind}TimeoutError`;
  }
}

let agents: { http: http.Agent; https: https.Agent } | undefined;

/** A proxy's answer other than 200 to CONNECT (node would take it for the server's answer). */
export class ProxyConnectError extends Error {
  constructor(
    readonly status: number,
    target: string,
  ) {
    super(`the proxy answered ${status} to CONNECT ${target}`);
    this.name = 'ProxyConnectError';
  }
}

function agentFor(url: URL, proxy: ProxyChoice | undefined): http.Agent {
  if (proxy) return proxyAgent(proxy, url);
  agents ??= { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  return url.protocol === 'https:' ? agents.https : agents.http;
}

/** Closes pooled connections (idle and in use), direct and through proxies. */
export function closeAgents(): void {
  agents?.http.destroy();
  agents?.https.destroy();
  agents = undefined;
  closeProxyAgents();
}

/**
 * Body idle timeout. Time spent waiting on our own consumer (bytes buffered in the response,
 * socket reading stopped by backpressure, e.g. a slow disk) is not the server being idle.
 */
function watchBodyIdle(res: IncomingMessage, idleMs: number): void {
  const socket = res.socket;
  const timer = setTimeout(function check() {
    if (res.destroyed || res.complete) return;
    if (res.readableLength > 0) return void timer.refresh();
    res.destroy(new HttpTimeoutError('Body', idleMs));
  }, idleMs);
  const onData = () => void timer.refresh();
  socket?.on('data', onData);
  const stop = () => {
    clearTimeout(timer);
    socket?.off('data', onData);
  };
  res.once('end', stop);
  res.once('close', stop);
}

/** Sends a GET and resolves with the response once its headers arrived. */
export function nodeGet(url: string, headers: Record<string, string>, t: GetTimeouts): Promise<IncomingMessage> {
  const u = new URL(url);
  const proxy = proxyFor(u);
  return new Promise((resolve, reject) => {
    const req = (u.protocol === 'https:' ? https : http).request(u, {
      method: 'GET',
      headers,
      agent: agentFor(u, proxy),
    });
    let timer: NodeJS.Timeout | undefined;
    const arm = (kind: 'Connect' | 'Headers', ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => req.destroy(new HttpTimeoutError(kind, ms)), ms);
    };
    // Armed before the socket exists: a proxy agent hands it over only after CONNECT answered.
    arm('Connect', t.connectMs);
    req.on('socket', (socket) => {
      if (!socket.connecting) return arm('Headers', t.idleMs);
      socket.once('connect', () => arm('Headers', t.idleMs));
    });
    let connectStatus: number | undefined;
    req.on('proxyConnect', (answer: { statusCode?: number }) => void (connectStatus = answer.statusCode));
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(proxy ? new Error(`through proxy ${describeProxy(proxy)}`, { cause: err }) : err);
    };
    // Also after the response: a later socket error reaches the body as `aborted`.
    req.on('error', fail);
    req.on('response', (res) => {
      clearTimeout(timer);
      if (connectStatus !== undefined && connectStatus !== 200) {
        res.destroy();
        return fail(new ProxyConnectError(connectStatus, u.host));
      }
      watchBodyIdle(res, t.idleMs);
      resolve(res);
    });
    req.end();
  });
}
