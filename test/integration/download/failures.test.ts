/**
 * `download` failures: bad data, untrusted or missing signatures, HTTP faults. After any
 * failure no image and no `.sig` are left in the output directory.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { createWorld, type World } from './fixture.js';

let w: World;
before(async () => {
  w = await createWorld();
});
after(async () => {
  await w.dispose();
});

const NAME = 'nestos-test-metal.x86_64.raw.xz';
const outDir = () => mkdtempSync(join(w.tmp, 'out-'));
const get = (dir: string, path: string, extra: string[] = []) =>
  runCli(['download', '-u', `${w.server.url}${path}`, '--trusted-key', w.keyFile, '-C', dir, ...extra], { env: w.env });

/** Serves `body` at /case/<name>/x.raw.xz with the given signature. */
function serveCase(caseName: string, body: Buffer, sig?: Buffer): string {
  const path = `case/${caseName}/${NAME}`;
  w.server.route(`/${path}`, { body });
  if (sig) w.server.route(`/${path}.sig`, { body: sig });
  return path;
}

const good = () => w.files[NAME]!;
const goodSig = () => w.key.signBinary(good());

function assertFailedClean(r: { code: number | null; stderr: string }, dir: string, pattern: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.deepEqual(readdirSync(dir), [], 'nothing may be left behind');
}

test('a flipped byte fails verification and leaves nothing', async () => {
  const body = Buffer.from(good());
  body[body.length >> 1]! ^= 0x01;
  const dir = outDir();
  assertFailedClean(await get(dir, serveCase('flip', body, goodSig())), dir, /GPG verification failure/);
});

test('a truncated file fails verification and leaves nothing', async () => {
  const dir = outDir();
  assertFailedClean(
    await get(dir, serveCase('trunc', good().subarray(0, good().length - 1), goodSig())),
    dir,
    /GPG verification failure/,
  );
});

test('one trailing byte fails verification and leaves nothing', async () => {
  const dir = outDir();
  const body = Buffer.concat([good(), Buffer.from([0])]);
  assertFailedClean(await get(dir, serveCase('trail', body, goodSig())), dir, /GPG verification failure/);
});

test('a signature by an untrusted key is fatal, even with --insecure', async () => {
  const path = serveCase('foreign', good(), w.foreign.signBinary(good()));
  for (const extra of [[], ['--insecure']]) {
    const dir = outDir();
    assertFailedClean(await get(dir, path, extra), dir, /GPG verification failure: .*not trusted/);
  }
});

test('a missing signature is fatal without --insecure', async () => {
  const dir = outDir();
  const r = await get(dir, serveCase('nosig', good()));
  assertFailedClean(r, dir, /--insecure not specified and signature not found/);
  assert.match(r.stderr, /Failed to fetch signature: /);
});

test('a missing signature is accepted with --insecure, and no .sig is written', async () => {
  const dir = outDir();
  const r = await get(dir, serveCase('nosig-ok', good()), ['--insecure']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stderr.toString().split('Signature not found; skipping verification as requested').length - 1,
    1,
    'said once',
  );
  assert.deepEqual(readdirSync(dir), [NAME]);
});

test('a stream sha256 mismatch is fatal even when the signature is good', async () => {
  const stream = {
    architectures: {
      x86_64: {
        artifacts: {
          metal: {
            formats: {
              'raw.xz': {
                disk: {
                  location: `${w.server.url}art/${NAME}`,
                  signature: `${w.server.url}art/${NAME}.sig`,
                  sha256: '0'.repeat(64),
                },
              },
            },
          },
        },
      },
    },
  };
  w.server.route('/badsha/streams/x.json', { body: JSON.stringify(stream) });
  const dir = outDir();
  const r = await runCli(
    [
      'download',
      '--stream-base-url',
      `${w.server.url}badsha/streams/`,
      '-s',
      'x',
      '-a',
      'x86_64',
      '--trusted-key',
      w.keyFile,
      '-C',
      dir,
    ],
    { env: w.env },
  );
  assertFailedClean(r, dir, /sha256 mismatch/);
});

test('HTTP 500 twice then 200 succeeds with --fetch-retries 3', async () => {
  w.server.route(`/flaky/${NAME}`, { body: good(), failFirst: 2 });
  w.server.route(`/flaky/${NAME}.sig`, { body: goodSig() });
  const dir = outDir();
  const r = await get(dir, `flaky/${NAME}`, ['--fetch-retries', '3']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((r.stderr.match(/Error fetching '.*flaky.*': HTTP status 500/g) ?? []).length, 2);
  assert.match(r.stderr, /Sleeping [\d.]+s and retrying\.\.\./);
  assert.deepEqual(readdirSync(dir).sort(), [NAME, `${NAME}.sig`]);
});

test('HTTP 500 without retries fails cleanly', async () => {
  w.server.route(`/flaky2/${NAME}`, { body: good(), failFirst: 5 });
  w.server.route(`/flaky2/${NAME}.sig`, { body: goodSig() });
  const dir = outDir();
  assertFailedClean(await get(dir, `flaky2/${NAME}`), dir, /image fetch failed: 500/);
});

test('HTTP 404 fails at once, without retrying', async () => {
  w.server.route(`/gone/${NAME}`, { status: 404 });
  w.server.route(`/gone/${NAME}.sig`, { body: goodSig() });
  const dir = outDir();
  const r = await get(dir, `gone/${NAME}`, ['--fetch-retries', '3']);
  assertFailedClean(r, dir, /image fetch failed: 404/);
  assert.equal(w.server.count(`/gone/${NAME}`), 1);
});

test('an unknown architecture names the missing triple', async () => {
  const dir = outDir();
  const r = await runCli(
    [
      'download',
      '--stream-base-url',
      `${w.server.url}streams/`,
      '-s',
      'testing',
      '-a',
      'riscv64',
      '--trusted-key',
      w.keyFile,
      '-C',
      dir,
    ],
    { env: w.env },
  );
  assertFailedClean(r, dir, /couldn't find architecture riscv64, platform metal, format raw\.xz in stream metadata/);
});

test('a missing stream names the metadata URL and status', async () => {
  const dir = outDir();
  const r = await runCli(['download', '--stream-base-url', `${w.server.url}streams/`, '-s', 'nope', '-C', dir], {
    env: w.env,
  });
  assertFailedClean(r, dir, /stream metadata fetch from http:.*\/streams\/nope\.json failed: 404/);
});

/** A signature that could not be fetched is not a missing one: the cause is kept, in every mode. */
for (const [what, route, cause] of [
  ['a 500', { status: 500 }, /\n\s+0: fetch from http:\S+\/sigfail-500\/\S+\.sig failed: 500\n/],
  [
    'a stalled body',
    { body: 'x'.repeat(100), stallAfter: 0 },
    /\n\s+0: reading the response from http:\S+\.sig\n\s+1: body timeout: nothing received for 500 ms/,
  ],
  [
    'a redirect loop',
    { redirectTo: '/sigfail-loop/x.raw.xz.sig' },
    /\n\s+0: fetching http:\S+\.sig\n\s+1: too many redirects \(more than 10\)/,
  ],
] as const) {
  test(`a signature fetch failing with ${what} is fatal, even with --insecure, and names its cause`, async () => {
    const prefix = `sigfail-${what === 'a 500' ? '500' : what === 'a stalled body' ? 'stall' : 'loop'}`;
    w.server.route(`/${prefix}/x.raw.xz`, { body: good() });
    w.server.route(`/${prefix}/x.raw.xz.sig`, route);
    for (const extra of [[], ['--insecure']]) {
      const dir = outDir();
      const r = await runCli(
        ['download', '-u', `${w.server.url}${prefix}/x.raw.xz`, '--trusted-key', w.keyFile, '-C', dir, ...extra],
        {
          env: { ...w.env, NESTOS_INSTALLER_IDLE_TIMEOUT_MS: '500' },
        },
      );
      assertFailedClean(r, dir, /^Error: fetching signature from http:\S+\/x\.raw\.xz\.sig\n\nCaused by:\n/m);
      assert.match(r.stderr, cause);
      assert.doesNotMatch(r.stderr, /signature not found/);
    }
  });
}
