/**
 * An http or https server in front of the download test server: it forwards every request
 * (method, path, headers such as Range) and its answer unchanged, and logs who connected, so a
 * test can see whether a request came through the proxy. The https one uses a throwaway
 * self-signed certificate for 127.0.0.1 made by openssl; clients trust it through
 * NODE_EXTRA_CA_CERTS=caFile.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FrontRequest {
  path: string;
  from: string;
  range?: string;
}

export interface FrontServer {
  /** `https://127.0.0.1:PORT/` or `http://…` */
  url: string;
  port: number;
  /** The certificate to trust (https only). */
  caFile?: string;
  requests: FrontRequest[];
  close(): Promise<void>;
}

export async function startFront(upstream: string, tls: boolean): Promise<FrontServer> {
  const requests: FrontRequest[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    requests.push({ path: req.url ?? '', from: req.socket.remoteAddress ?? '', range: req.headers.range });
    const forward = http.request(
      new URL(req.url ?? '/', upstream),
      { method: req.method, headers: { ...req.headers, host: new URL(upstream).host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  };
  let dir: string | undefined;
  let server: http.Server;
  if (tls) {
    dir = mkdtempSync(join(tmpdir(), 'front-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    server = https.createServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      handler,
    );
  } else {
    server = http.createServer(handler);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    port,
    caFile: dir ? join(dir, 'cert.pem') : undefined,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          if (dir) rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
