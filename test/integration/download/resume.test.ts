/** Beyond upstream: a download dropped mid-body keeps `<name>.part`; the next run resumes it. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
const DROP_AT = 300_000;
const outDir = () => mkdtempSync(join(w.tmp, 'out-'));
const get = (dir: string, path: string, extra: string[] = []) =>
  runCli(['download', '-u', `${w.server.url}${path}`, '--trusted-key', w.keyFile, '-C', dir, ...extra], { env: w.env });

function serve(prefix: string, opts: { dropAfter?: number; noRange?: boolean; body?: Buffer }): string {
  const body = opts.body ?? w.files[NAME]!;
  w.server.route(`/${prefix}/${NAME}`, { body, dropAfter: opts.dropAfter, noRange: opts.noRange });
  w.server.route(`/${prefix}/${NAME}.sig`, { body: w.key.signBinary(w.files[NAME]!) });
  return `${prefix}/${NAME}`;
}

test('a connection dropped mid-body keeps .part; the next run resumes to a verified, identical file', async () => {
  const path = serve('drop', { dropAfter: DROP_AT });
  const dir = outDir();
  const first = await get(dir, path);
  assert.equal(first.code, 1, first.stderr);
  assert.deepEqual(readdirSync(dir), [`${NAME}.part`], first.stderr);
  // Every byte received before the drop is on disk.
  const kept = statSync(join(dir, `${NAME}.part`)).size;
  assert.equal(kept, DROP_AT);
  assert.deepEqual(readFileSync(join(dir, `${NAME}.part`)), w.files[NAME]!.subarray(0, kept));
  assert.match(first.stderr, /Partial download kept in .*\.part/);

  const second = await get(dir, path);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /Resuming .*\.part at /);
  const ranges = w.server.requests.filter((r) => r.path === `/${path}` && r.range);
  assert.deepEqual(
    ranges.map((r) => [r.range, r.status]),
    [[`bytes=${kept}-`, 206]],
  );
  assert.deepEqual(readFileSync(join(dir, NAME)), w.files[NAME]);
  assert.deepEqual(readdirSync(dir).sort(), [NAME, `${NAME}.sig`]);
});

test('a server that ignores Range gets the whole file again (200 restarts the .part)', async () => {
  const path = serve('norange', { noRange: true });
  const dir = outDir();
  writeFileSync(join(dir, `${NAME}.part`), w.files[NAME]!.subarray(0, 1000));
  const r = await get(dir, path);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(join(dir, NAME)), w.files[NAME]);
  assert.deepEqual(readdirSync(dir).sort(), [NAME, `${NAME}.sig`]);
});

test('a corrupt .part is caught by verifying the whole file, and removed', async () => {
  const path = serve('badpart', {});
  const dir = outDir();
  const part = Buffer.from(w.files[NAME]!.subarray(0, 5000));
  part[10]! ^= 0xff;
  writeFileSync(join(dir, `${NAME}.part`), part);
  const r = await get(dir, path);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /GPG verification failure/);
  assert.deepEqual(readdirSync(dir), []);
  // And the run after that starts over and succeeds.
  const again = await get(dir, path);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(readFileSync(join(dir, NAME)), w.files[NAME]);
});

test('a .part as long as the file (416 answer) restarts the download', async () => {
  const path = serve('full', {});
  const dir = outDir();
  writeFileSync(join(dir, `${NAME}.part`), w.files[NAME]!);
  const r = await get(dir, path);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(join(dir, NAME)), w.files[NAME]);
});

test('a stalled body fails on the idle timeout and keeps .part for resume', async () => {
  const body = w.files[NAME]!;
  w.server.route(`/stall/${NAME}`, { body, stallAfter: 100_000 });
  w.server.route(`/stall/${NAME}.sig`, { body: w.key.signBinary(body) });
  const dir = outDir();
  const r = await runCli(['download', '-u', `${w.server.url}stall/${NAME}`, '--trusted-key', w.keyFile, '-C', dir], {
    env: { ...w.env, NESTOS_INSTALLER_IDLE_TIMEOUT_MS: '500' },
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /\n\s+\d: body timeout: nothing received for 500 ms\n/);
  assert.deepEqual(readdirSync(dir), [`${NAME}.part`]);
  const kept = statSync(join(dir, `${NAME}.part`)).size;
  assert.ok(kept > 0 && kept <= 100_000, `kept ${kept} bytes`);
});
