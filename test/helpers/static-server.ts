/** A plain static file server on 127.0.0.1 for install tests: GET <base>/<name> → dir/<name>. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';

export interface StaticServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  baseUrl: string;
  close(): void;
}

/** `override` may answer a request itself (e.g. a generated stream JSON) by returning true. */
export async function serveDirectory(
  dir: string,
  override?: (name: string, req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<StaticServer> {
  const server = createServer((req, res) => {
    const name = basename(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (override?.(name, req, res)) return;
    const path = join(dir, name);
    stat(path).then(
      (st) => {
        res.writeHead(200, { 'content-length': st.size });
        createReadStream(path).pipe(res);
      },
      () => {
        res.writeHead(404);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => server.close() };
}
