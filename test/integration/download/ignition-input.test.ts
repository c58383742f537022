/**
 * Ignition configs as inputs: an https URL is never redirected to plain http, and a config
 * from a file or stdin is capped like one from a URL (`-i /dev/zero` fails at once instead of
 * growing memory). Each failing run leaves its target and output directory as they were.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { createWorld, type World } from './fixture.js';
import { type FrontServer, startFront } from './front-server.js';
import { snapshot } from './snapshot.js';

const NAME = 'nestos-test-metal.x86_64.raw.xz';
const CONFIG = Buffer.from('{"ignition":{"version":"3.4.0"}}\n');
let w: World;
let front: FrontServer;

before(async () => {
  w = await createWorld();
  front = await startFront(w.server.url, true);
  w.server.route('/ign/config.ign', { body: CONFIG });
  w.server.route('/ign/to-http.ign', { redirectTo: `${w.server.url}ign/config.ign` });
  w.server.route('/ign/to-https.ign', { redirectTo: `${front.url}ign/config.ign` });
});
after(async () => {
  await front.close();
  await w.dispose();
});

/** An image file and an empty target file in a fresh directory. */
function installWork(): { work: string; image: string; target: string } {
  const work = mkdtempSync(join(w.tmp, 'ign-'));
  const image = join(work, NAME);
  writeFileSync(image, w.files[NAME]!);
  const target = join(work, 'disk.img');
  writeFileSync(target, '');
  return { work, image, target };
}

const install = (args: string[]) =>
  runCli(['install', '--insecure', ...args], {
    env: { ...w.env, NODE_EXTRA_CA_CERTS: front.caFile! },
    timeoutMs: 120_000,
  });

test('an https Ignition URL redirected to http is refused before anything is written, even with --insecure-ignition', async () => {
  const { work, image, target } = installWork();
  const before = snapshot(work);
  for (const extra of [[], ['--insecure-ignition']]) {
    const served = w.server.count('/ign/config.ign');
    const r = await install(['-f', image, '-I', `${front.url}ign/to-http.ign`, ...extra, target]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /refusing the redirect from https:\/\/127\.0\.0\.1:\d+\/ign\/to-http\.ign to http:\/\/127\.0\.0\.1:\d+\/ign\/config\.ign: it would leave https for plain http/,
    );
    assert.equal(w.server.count('/ign/config.ign'), served, 'the plain-http URL was never fetched');
    assert.deepEqual(snapshot(work), before);
  }
});

test('an https Ignition URL redirected to https is followed', async () => {
  const { work, image, target } = installWork();
  const before = snapshot(work);
  // A wrong hash stops the run once the config was fetched: the computed hash shows what arrived.
  const r = await install([
    '-f',
    image,
    '-I',
    `${front.url}ign/to-https.ign`,
    '--ignition-hash',
    `sha256-${'0'.repeat(64)}`,
    target,
  ]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`hash mismatch, computed '${createHash('sha256').update(CONFIG).digest('hex')}'`));
  assert.deepEqual(snapshot(work), before);
});

test('install -i /dev/zero fails with a size error, target untouched', async () => {
  const { work, image, target } = installWork();
  const before = snapshot(work);
  const r = await install(['-f', image, '-i', '/dev/zero', target]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Ignition config '\/dev\/zero' is larger than 16 MiB; is it the right file\?/);
  assert.deepEqual(snapshot(work), before);
});

test('pxe ignition wrap caps its config from a file and from stdin; no output is written', async () => {
  const dir = mkdtempSync(join(w.tmp, 'wrap-'));
  const out = join(dir, 'ignition.img');
  const fromFile = await runCli(['pxe', 'ignition', 'wrap', '-i', '/dev/zero', '-o', out], { timeoutMs: 120_000 });
  assert.equal(fromFile.code, 1, fromFile.stderr);
  assert.match(fromFile.stderr, /Ignition config '\/dev\/zero' is larger than 16 MiB/);
  const fromStdin = await runCli(['pxe', 'ignition', 'wrap', '-o', out], {
    input: Buffer.alloc(17 * 1024 * 1024, 0x20),
    timeoutMs: 120_000,
  });
  assert.equal(fromStdin.code, 1, fromStdin.stderr);
  assert.match(fromStdin.stderr, /Ignition config from stdin is larger than 16 MiB/);
  assert.deepEqual(snapshot(dir), {});
});
