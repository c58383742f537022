/**
 * Servers that close the connection after the body (HTTP/1.0, like python3 -m http.server)
 * or answer a resume with the wrong bytes; real sockets on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { closeHttp, httpGet } from '../../../src/http/fetch.js';
import { runCli } from '../../helpers/cli.js';
import { snapshot } from './snapshot.js';

const tmp = mkdtempSync(join(tmpdir(), 'dl-misbehave-'));
const servers: Server[] = [];
after(async () => {
  await closeHttp();
  for (const s of servers) s.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
}

/** Answers like python's http.server: HTTP/1.0, Content-Length, body, close; no `.sig` (404). */
function http10Server(body: Buffer): Promise<string> {
  const server = createServer((socket) => {
    socket.once('data', (request: Buffer) => {
      if (/^GET \S+\.sig /.test(request.toString('latin1')))
        return void socket.end('HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      socket.write(
        `HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      socket.end(body);
    });
    socket.on('error', () => undefined);
  });
  return listen(server);
}

// Reads the body in small slices every millisecond: the body stays backpressured, so the
// server's FIN arrives while the client still holds the last bytes. undici 7 threw an uncaught
// AssertionError (assert(!this.paused) in Parser.finish) here and killed the process.
const SLOW_READER = `
const { createHash } = await import('node:crypto');
const { httpGet, closeHttp } = await import(process.env.FETCH_JS);
const res = await httpGet(process.env.URL);
const h = createHash('sha256');
let n = 0;
await new Promise((resolve, reject) => {
  res.body.on('error', reject);
  res.body.on('end', resolve);
  res.body.on('readable', () => {});
  const tick = () => {
    let c;
    for (let i = 0; i < 8 && (c = res.body.read(4096)) !== null; i++) { n += c.length; h.update(c); }
    if (!res.body.readableEnded) setTimeout(tick, 1);
  };
  tick();
});
await closeHttp();
console.log(JSON.stringify({ n, sha: h.digest('hex') }));
`;

function runSlowReader(url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const fetchJs = fileURLToPath(new URL('../../../src/http/fetch.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SLOW_READER], {
      env: { ...process.env, FETCH_JS: fetchJs, URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('a connection closed right after the body, read by a slow consumer: every byte, no crash', async () => {
  const body = randomBytes(4 * 1024 * 1024);
  const url = await http10Server(body);
  for (let i = 0; i < 3; i++) {
    const r = await runSlowReader(`${url}img.raw`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { n: body.length, sha: createHash('sha256').update(body).digest('hex') });
  }
});

test('download --insecure from an HTTP/1.0 server writes the identical file', async () => {
  const body = randomBytes(8 * 1024 * 1024);
  const url = await http10Server(body);
  const dir = mkdtempSync(join(tmp, 'out-'));
  const r = await runCli(['download', '-u', `${url}img.raw`, '--insecure', '-C', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(dir), ['img.raw']);
  assert.ok(readFileSync(join(dir, 'img.raw')).equals(body));
});

/** A node:http server whose answer to `Range: bytes=N-` is chosen by the test; no `.sig`. */
function rangeServer(reply: (start: number, res: ServerResponse) => void): Promise<string> {
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.endsWith('.sig')) return void res.writeHead(404).end();
    const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    reply(m ? Number(m[1]) : 0, res);
  });
  return listen(server);
}

const FILE = randomBytes(5000);

test('--insecure resume: a 206 shorter than its Content-Range total fails and keeps .part; the next run completes it', async () => {
  let short = true;
  const url = await rangeServer((start, res) => {
    if (start === 0) return void res.writeHead(200, { 'content-length': FILE.length }).end(FILE);
    // The first resume answers only 1000 bytes of the rest while saying the file has 5000.
    const end = short ? start + 1000 : FILE.length;
    short = false;
    res.writeHead(206, { 'content-range': `bytes ${start}-${end - 1}/${FILE.length}`, 'content-length': end - start });
    res.end(FILE.subarray(start, end));
  });
  const dir = mkdtempSync(join(tmp, 'out-'));
  writeFileSync(join(dir, 'f.raw.part'), FILE.subarray(0, 1000));
  const args = ['download', '-u', `${url}f.raw`, '--insecure', '-C', dir];
  const first = await runCli(args);
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stderr, /received 2000 bytes of .*f\.raw, expected 5000/);
  assert.deepEqual(readdirSync(dir), ['f.raw.part']);
  assert.equal(statSync(join(dir, 'f.raw.part')).size, 2000);

  const second = await runCli(args);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /Resuming .*f\.raw\.part at /);
  assert.deepEqual(readdirSync(dir), ['f.raw']);
  assert.ok(readFileSync(join(dir, 'f.raw')).equals(FILE));
});

test('--insecure resume: a 206 starting at another offset than asked is refused, nothing renamed', async () => {
  const url = await rangeServer((_start, res) => {
    res.writeHead(206, { 'content-range': `bytes 0-${FILE.length - 1}/${FILE.length}`, 'content-length': FILE.length });
    res.end(FILE);
  });
  const dir = mkdtempSync(join(tmp, 'out-'));
  writeFileSync(join(dir, 'g.raw.part'), FILE.subarray(0, 1000));
  const r = await runCli(['download', '-u', `${url}g.raw`, '--insecure', '-C', dir]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /asked for bytes from 1000, the server sent bytes from 0/);
  assert.deepEqual(readdirSync(dir), ['g.raw.part']);
});

test('--insecure resume: a 206 without Content-Range is refused; the .part stays as it was and nothing is renamed', async () => {
  // Answers a resume with the whole file from byte 0, labelled 206 but with no range.
  const url = await rangeServer(
    (start, res) => void res.writeHead(start === 0 ? 200 : 206, { 'content-length': FILE.length }).end(FILE),
  );
  const dir = mkdtempSync(join(tmp, 'out-'));
  writeFileSync(join(dir, 'h.raw.part'), FILE.subarray(0, 1000));
  const before = snapshot(dir);
  const r = await runCli(['download', '-u', `${url}h.raw`, '--insecure', '-C', dir]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^Error: resuming \S+\/h\.raw\.part \(delete it to download from the start\)\n/m);
  assert.match(
    r.stderr,
    /the server answered 206 Partial Content without a Content-Range header \(asked for bytes from 1000\)/,
  );
  assert.deepEqual(snapshot(dir), before);
});

test('a 206 to a request that asked for no range must start at byte 0', async () => {
  const url = await rangeServer((_start, res) => {
    res.writeHead(206, {
      'content-range': `bytes 1000-${FILE.length - 1}/${FILE.length}`,
      'content-length': FILE.length - 1000,
    });
    res.end(FILE.subarray(1000));
  });
  const dir = mkdtempSync(join(tmp, 'out-'));
  const r = await runCli(['download', '-u', `${url}i.raw`, '--insecure', '-C', dir]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /\n\s+0: asked for bytes from 0, the server sent bytes from 1000\n/);
  assert.deepEqual(snapshot(dir), {});
});

test('the body idle timeout does not count time the consumer spends not reading (a slow disk)', async () => {
  const body = randomBytes(4 * 1024 * 1024);
  const url = await listen(
    createHttpServer((_req, res) => void res.writeHead(200, { 'content-length': body.length }).end(body)),
  );
  const res = await httpGet(`${url}x`, { timeouts: { idleMs: 200 } });
  // Not reading for 5 idle periods: the server is done sending, we are the slow side.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c as Buffer);
  assert.ok(Buffer.concat(chunks).equals(body));
});

test('the body idle timeout fails a server that stops sending', async () => {
  const url = await listen(
    createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(10)); // and nothing more
    }),
  );
  const res = await httpGet(`${url}y`, { timeouts: { idleMs: 200 } });
  await assert.rejects(
    (async () => {
      for await (const _c of res.body) {
        /* drain */
      }
    })(),
    (err: Error) => err.name === 'BodyTimeoutError',
  );
});
