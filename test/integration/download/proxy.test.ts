/**
 * Proxies from the environment against a real tinyproxy on 127.0.0.1: stream metadata, images
 * (resumed), signatures and Ignition URLs. The servers sit behind a front that logs who
 * connected: tinyproxy connects onward from 127.0.0.2, a direct client from 127.0.0.1, so each
 * test proves which way every request went; tinyproxy's own log confirms it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { createWorld, sha256, type World } from './fixture.js';
import { type FrontServer, startFront } from './front-server.js';
import { snapshot } from './snapshot.js';
import { PROXY_SOURCE_ADDRESS, startTinyproxy, type Tinyproxy } from './tinyproxy.js';

const NAME = 'nestos-test-metal.x86_64.raw.xz';
let w: World;
let proxy: Tinyproxy;
let httpsFront: FrontServer;
let httpFront: FrontServer;

before(async () => {
  w = await createWorld();
  proxy = await startTinyproxy();
  httpsFront = await startFront(w.server.url, true);
  httpFront = await startFront(w.server.url, false);
  const artifact = {
    location: `${httpsFront.url}art/${NAME}`,
    signature: `${httpsFront.url}art/${NAME}.sig`,
    sha256: sha256(w.files[NAME]!),
  };
  const feed = { architectures: { x86_64: { artifacts: { metal: { formats: { 'raw.xz': { disk: artifact } } } } } } };
  w.server.route('/tls/streams/s.json', { body: JSON.stringify(feed) });
});
after(async () => {
  await httpsFront.close();
  await httpFront.close();
  await proxy.stop();
  await w.dispose();
});

/** The environment of a run: no proxy variable from outside, then the test's own. */
function env(extra: Record<string, string>): Record<string, string> {
  const cleared = Object.fromEntries(
    ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'].map(
      (k) => [k, ''],
    ),
  );
  return { ...w.env, ...cleared, NODE_EXTRA_CA_CERTS: httpsFront.caFile!, ...extra };
}

const fromHttpsFeed = (dir: string, vars: Record<string, string>) =>
  runCli(
    [
      'download',
      '--stream-base-url',
      `${httpsFront.url}tls/streams/`,
      '-s',
      's',
      '-a',
      'x86_64',
      '--trusted-key',
      w.keyFile,
      '-C',
      dir,
    ],
    {
      env: env(vars),
      timeoutMs: 120_000,
    },
  );

function withPart(bytes: number): string {
  const dir = mkdtempSync(join(w.tmp, 'out-'));
  writeFileSync(join(dir, `${NAME}.part`), w.files[NAME]!.subarray(0, bytes));
  return dir;
}

test('HTTPS_PROXY: stream metadata, signature and a resumed image all go through the proxy with CONNECT', async () => {
  const seen = httpsFront.requests.length;
  const dir = withPart(100_000);
  const r = await fromHttpsFeed(dir, { HTTPS_PROXY: proxy.url });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Resuming .*\.part at /);
  assert.deepEqual(readFileSync(join(dir, NAME)), w.files[NAME]);
  const requests = httpsFront.requests.slice(seen);
  assert.deepEqual(
    requests.map((q) => [q.path, q.from, q.range ?? null]),
    [
      ['/tls/streams/s.json', PROXY_SOURCE_ADDRESS, null],
      [`/art/${NAME}.sig`, PROXY_SOURCE_ADDRESS, null],
      [`/art/${NAME}`, PROXY_SOURCE_ADDRESS, null],
      [`/art/${NAME}`, PROXY_SOURCE_ADDRESS, 'bytes=100000-'],
    ],
  );
  assert.ok(proxy.requests().includes(`CONNECT 127.0.0.1:${httpsFront.port} HTTP/1.1`), proxy.requests().join('\n'));
});

test('http_proxy (lower case): an http image and its signature go through the proxy, resumed', async () => {
  const seen = httpFront.requests.length;
  const dir = withPart(50_000);
  const r = await runCli(['download', '-u', `${httpFront.url}art/${NAME}`, '--trusted-key', w.keyFile, '-C', dir], {
    env: env({ http_proxy: proxy.url }),
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(join(dir, NAME)), w.files[NAME]);
  const requests = httpFront.requests.slice(seen);
  assert.ok(requests.length >= 3, JSON.stringify(requests));
  assert.deepEqual([...new Set(requests.map((q) => q.from))], [PROXY_SOURCE_ADDRESS]);
  assert.ok(requests.some((q) => q.range === 'bytes=50000-'));
  assert.ok(
    proxy.requests().includes(`GET http://127.0.0.1:${httpFront.port}/art/${NAME}.sig HTTP/1.1`),
    proxy.requests().join('\n'),
  );
});

test('NO_PROXY bypasses the proxy: every request goes direct', async () => {
  const [seen, logged] = [httpsFront.requests.length, proxy.requests().length];
  const dir = mkdtempSync(join(w.tmp, 'out-'));
  const r = await fromHttpsFeed(dir, {
    HTTPS_PROXY: proxy.url,
    http_proxy: proxy.url,
    NO_PROXY: 'localhost,127.0.0.1',
  });
  assert.equal(r.code, 0, r.stderr);
  const requests = httpsFront.requests.slice(seen);
  assert.equal(requests.length, 3);
  assert.deepEqual([...new Set(requests.map((q) => q.from))], ['127.0.0.1']);
  assert.equal(proxy.requests().length, logged);
});

test('an Ignition URL goes through the proxy (its bytes are hashed: the computed hash is theirs)', async () => {
  const config = Buffer.from('{"ignition":{"version":"3.4.0"}}\n');
  w.server.route('/ign/config.ign', { body: config });
  const work = mkdtempSync(join(w.tmp, 'ign-'));
  const image = join(work, NAME);
  writeFileSync(image, w.files[NAME]!);
  const target = join(work, 'disk.img');
  writeFileSync(target, '');
  const before = snapshot(work);
  const seen = httpsFront.requests.length;
  const r = await runCli(
    [
      'install',
      '-f',
      image,
      '--insecure',
      '-I',
      `${httpsFront.url}ign/config.ign`,
      '--ignition-hash',
      `sha256-${'0'.repeat(64)}`,
      target,
    ],
    { env: env({ https_proxy: proxy.url }), timeoutMs: 120_000 },
  );
  assert.equal(r.code, 1, r.stderr);
  const computed = createHash('sha256').update(config).digest('hex');
  assert.match(r.stderr, new RegExp(`hash mismatch, computed '${computed}'`));
  assert.deepEqual(
    httpsFront.requests.slice(seen).map((q) => [q.path, q.from]),
    [['/ign/config.ign', PROXY_SOURCE_ADDRESS]],
  );
  assert.deepEqual(snapshot(work), before);
});

test('an unreachable proxy is named, with the variable it came from', async () => {
  const dir = mkdtempSync(join(w.tmp, 'out-'));
  const r = await fromHttpsFeed(dir, { HTTPS_PROXY: 'http://user:secret@127.0.0.1:1' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /\n\s+\d: through proxy http:\/\/127\.0\.0\.1:1 \(from HTTPS_PROXY\)\n\s+\d: connect ECONNREFUSED 127\.0\.0\.1:1/,
  );
  assert.doesNotMatch(r.stderr, /secret/);
  assert.deepEqual(snapshot(dir), {});
});
