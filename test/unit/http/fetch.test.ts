/** httpGet against a real server on 127.0.0.1: retry policy, messages, redirects, ranges. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { closeHttp, httpGet, httpGetBytes, HttpStatusError } from '../../../src/http/fetch.js';
import { createMemoryReporter } from '../../../src/report.js';
import { startServer, type TestServer } from '../../helpers/http-server.js';

let s: TestServer;
const body = Buffer.from('0123456789'.repeat(1000));
before(async () => {
  process.env.NESTOS_INSTALLER_RETRY_BASE_MS = '5';
  s = await startServer();
});
after(async () => {
  await closeHttp();
  await s.close();
});

test('500 twice then 200 succeeds with 2+ retries and prints upstream messages', async () => {
  s.route('/a', { body, failFirst: 2 });
  const r = createMemoryReporter();
  assert.deepEqual(await httpGetBytes(`${s.url}a`, { retries: 3, reporter: r }), body);
  assert.equal(s.count('/a'), 3);
  assert.deepEqual(r.lines, [
    `Error fetching '${s.url}a': HTTP status 500`,
    'Sleeping 0.005s and retrying...',
    `Error fetching '${s.url}a': HTTP status 500`,
    'Sleeping 0.01s and retrying...',
  ]);
});

for (const status of [408, 429, 502, 503, 504]) {
  test(`${status} is retried`, async () => {
    s.route(`/r${status}`, { body, failFirst: 1, failStatus: status });
    assert.deepEqual(await httpGetBytes(`${s.url}r${status}`, { retries: 1 }), body);
  });
}

test('retries exhausted: the last status is the error; N retries = N+1 attempts', async () => {
  s.route('/b', { body, failFirst: 10 });
  await assert.rejects(
    httpGet(`${s.url}b`, { retries: 2, failMessage: (st) => `image fetch failed: ${st}` }),
    (err: unknown) => {
      assert.ok(err instanceof HttpStatusError);
      assert.equal(err.status, 500);
      assert.equal(err.message, 'image fetch failed: 500');
      return true;
    },
  );
  assert.equal(s.count('/b'), 3);
});

test('404 and other client errors are not retried', async () => {
  s.route('/c', { status: 404 });
  s.route('/d', { status: 403 });
  await assert.rejects(httpGet(`${s.url}c`, { retries: 5 }), /failed: 404/);
  await assert.rejects(httpGet(`${s.url}d`, { retries: 5 }), /failed: 403/);
  assert.equal(s.count('/c'), 1);
  assert.equal(s.count('/d'), 1);
});

test('connection errors are retried, then fail with context', async () => {
  const probe = createServer();
  await new Promise<void>((res) => probe.listen(0, '127.0.0.1', res));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((res) => probe.close(() => res()));
  const r = createMemoryReporter();
  await assert.rejects(
    httpGet(`http://127.0.0.1:${port}/x`, { retries: 1, reporter: r }),
    /fetching http:\/\/127\.0\.0\.1:\d+\/x/,
  );
  assert.equal(r.lines.length, 2);
  assert.match(r.lines[0]!, /^Error fetching 'http:\/\/127\.0\.0\.1:\d+\/x': .*ECONNREFUSED/);
});

test('redirects are followed and the final URL reported', async () => {
  s.route('/from', { redirectTo: '/mid' });
  s.route('/mid', { redirectTo: `${s.url}dir/final.raw.xz` });
  s.route('/dir/final.raw.xz', { body });
  const res = await httpGet(`${s.url}from`);
  res.body.resume();
  assert.equal(res.status, 200);
  assert.equal(res.finalUrl, `${s.url}dir/final.raw.xz`);
  assert.equal(res.contentLength, body.length);
});

test('Range: 206 with the rest and the total length', async () => {
  s.route('/range', { body });
  const res = await httpGet(`${s.url}range`, { rangeStart: 9000 });
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c as Buffer);
  assert.equal(res.status, 206);
  assert.equal(res.totalLength, body.length);
  assert.deepEqual(Buffer.concat(chunks), body.subarray(9000));
});

test('file:// URLs are read, with ranges, and a missing file is a 404', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-http-'));
  try {
    writeFileSync(join(dir, 'f'), body);
    const url = pathToFileURL(join(dir, 'f')).toString();
    assert.deepEqual(await httpGetBytes(url), body);
    const res = await httpGet(url, { rangeStart: 10 });
    const chunks: Buffer[] = [];
    for await (const c of res.body) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), body.subarray(10));
    await assert.rejects(
      httpGet(pathToFileURL(join(dir, 'nope')).toString()),
      (e: unknown) => e instanceof HttpStatusError && e.status === 404,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unsupported schemes are refused', async () => {
  await assert.rejects(httpGet('ftp://h/x'), /unsupported URL scheme/);
});
