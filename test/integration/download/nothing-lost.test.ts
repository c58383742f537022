/**
 * `download` never destroys what it did not write: each case snapshots the output directory
 * (names, modes, bytes) before and after a run that must fail, and compares them. Hostile
 * feeds and servers, planted symlinks and hard links, concurrent runs, unsafe file names.
 */
import assert from 'node:assert/strict';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { type CliResult, runCli } from '../../helpers/cli.js';
import { createWorld, sha256, type World } from './fixture.js';
import { snapshot } from './snapshot.js';

let w: World;
before(async () => {
  w = await createWorld();
});
const servers: Server[] = [];
after(async () => {
  for (const s of servers) s.closeAllConnections();
  for (const s of servers) s.close();
  await w.dispose();
});

const NAME = 'nestos-test-metal.x86_64.raw.xz';
const good = () => w.files[NAME]!;
const outDir = () => mkdtempSync(join(w.tmp, 'out-'));
const download = (dir: string, url: string, extra: string[] = []) =>
  runCli(['download', '-u', url, '--trusted-key', w.keyFile, '-C', dir, ...extra], { env: w.env, timeoutMs: 120_000 });

function assertRefused(r: CliResult, cause: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, cause);
}

/** A feed whose raw.xz disk artifact is `location` (signed by `signature`, when given). */
function serveFeed(prefix: string, location: string, signature?: string): string {
  const artifact = { location, ...(signature ? { signature } : {}) };
  const feed = { architectures: { x86_64: { artifacts: { metal: { formats: { 'raw.xz': { disk: artifact } } } } } } };
  w.server.route(`/${prefix}/streams/s.json`, { body: JSON.stringify(feed) });
  return `${w.server.url}${prefix}/streams/`;
}

const fromFeed = (dir: string, base: string, extra: string[] = []) =>
  runCli(
    ['download', '--stream-base-url', base, '-s', 's', '-a', 'x86_64', '--trusted-key', w.keyFile, '-C', dir, ...extra],
    {
      env: w.env,
      timeoutMs: 120_000,
    },
  );

test('a hostile feed naming an existing file: the failed run leaves it and its .sig byte-identical', async () => {
  const dir = outDir();
  writeFileSync(join(dir, 'important.conf'), 'precious operator data\n');
  chmodSync(join(dir, 'important.conf'), 0o600);
  writeFileSync(join(dir, 'important.conf.sig'), 'not a signature, but not ours either\n');
  w.server.route('/hostile/important.conf', { body: good() });
  w.server.route('/hostile/important.conf.sig', { body: w.foreign.signBinary(good()) });
  const base = serveFeed(
    'hostile',
    `${w.server.url}hostile/important.conf`,
    `${w.server.url}hostile/important.conf.sig`,
  );
  const before = snapshot(dir);
  for (const extra of [[], ['--insecure']]) {
    assertRefused(await fromFeed(dir, base, extra), /GPG verification failure: .*not trusted/);
    assert.deepEqual(snapshot(dir), before);
  }
});

test('an existing file that does not verify is kept when its replacement fails too', async () => {
  const dir = outDir();
  writeFileSync(join(dir, NAME), 'an older, different image');
  writeFileSync(join(dir, `${NAME}.sig`), 'its older signature');
  const body = Buffer.from(good());
  body[body.length >> 1]! ^= 0x01;
  w.server.route(`/flipped/${NAME}`, { body });
  w.server.route(`/flipped/${NAME}.sig`, { body: w.key.signBinary(good()) });
  const before = snapshot(dir);
  const r = await download(dir, `${w.server.url}flipped/${NAME}`);
  assertRefused(r, /GPG verification failure/);
  assert.deepEqual(snapshot(dir), before);
});

test('an existing file is replaced once the new download verified', async () => {
  const dir = outDir();
  writeFileSync(join(dir, NAME), 'an older, different image');
  writeFileSync(join(dir, `${NAME}.sig`), 'its older signature');
  const r = await download(dir, `${w.server.url}art/${NAME}`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(join(dir, NAME)), good());
  const published = Buffer.from(await (await fetch(`${w.server.url}art/${NAME}.sig`)).arrayBuffer());
  assert.deepEqual(readFileSync(join(dir, `${NAME}.sig`)), published);
  assert.deepEqual(Object.keys(snapshot(dir)), [NAME, `${NAME}.sig`]);
});

test('an unverified download (--insecure, no signature published) never replaces an existing file, even one named by a redirect', async () => {
  const dir = outDir();
  writeFileSync(join(dir, '.bashrc'), "the operator's shell setup\n");
  writeFileSync(join(dir, NAME), 'an image the operator keeps');
  w.server.route('/nosig/redirect', { redirectTo: '/nosig/.bashrc' });
  w.server.route('/nosig/.bashrc', { body: 'echo replaced by a feed\n' });
  w.server.route(`/nosig/${NAME}`, { body: good() });
  const before = snapshot(dir);
  for (const url of [`${w.server.url}nosig/redirect`, `${w.server.url}nosig/${NAME}`]) {
    assertRefused(
      await download(dir, url, ['--insecure']),
      /exists; an unverified download \(--insecure, no signature published\) never replaces a file/,
    );
    assert.deepEqual(snapshot(dir), before);
  }
});

/**
 * Serves the signed xz image; the first GET stops after half the body until `release()`, so a
 * second run can start while the first one holds its `.part`. Range requests are answered.
 */
async function gatedServer(): Promise<{ url: string; halfSent: Promise<void>; release(): void }> {
  const body = good();
  const sig = w.key.signBinary(body);
  let gets = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let halfSent!: () => void;
  const half = new Promise<void>((resolve) => (halfSent = resolve));
  const server = createServer((req, res) => {
    if (req.url?.endsWith('.sig')) return void res.writeHead(200, { 'content-length': sig.length }).end(sig);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const headers: Record<string, string | number> = { 'content-length': body.length - start };
    if (m) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    res.writeHead(m ? 206 : 200, headers);
    if (++gets > 1) return void res.end(body.subarray(start));
    const mid = body.length >> 1;
    res.write(body.subarray(0, mid), () => halfSent());
    void gate.then(() => res.end(body.subarray(mid)));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/${NAME}`, halfSent: half, release };
}

test('a second download into the same directory while the first runs is refused; the first one completes', async () => {
  const dir = outDir();
  const gated = await gatedServer();
  const first = download(dir, gated.url);
  await gated.halfSent;
  // Let the first run's bytes reach its .part.
  for (let i = 0; i < 100 && !(snapshot(dir)[`${NAME}.part`] ?? '').match(/^file \d+ [1-9]/); i++)
    await new Promise((r) => setTimeout(r, 50));
  const second = await download(dir, gated.url);
  assertRefused(
    second,
    /another download is writing .*\.part; wait for it to finish, or download into another directory \(-C\)/,
  );
  gated.release();
  const r = await first;
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(join(dir, NAME)), good());
  assert.deepEqual(Object.keys(snapshot(dir)), [NAME, `${NAME}.sig`]);
  // And a run after that keeps the verified file instead of downloading it again.
  const again = await download(dir, gated.url);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /Read disk/);
});

/**
 * Plants `plant(victim, NAME.part)` in a fresh output directory, with the victim file in another
 * one; the run must be refused with `cause` and leave both directories as they were.
 */
async function refusedPlantedPart(plant: (target: string, path: string) => void, cause: RegExp): Promise<void> {
  const dir = outDir();
  const victimDir = mkdtempSync(join(w.tmp, 'victim-'));
  const victim = join(victimDir, 'authorized_keys');
  writeFileSync(victim, 'ssh-ed25519 AAAA operator\n');
  plant(victim, join(dir, `${NAME}.part`));
  const [beforeDir, beforeVictim] = [snapshot(dir), snapshot(victimDir)];
  assertRefused(await download(dir, `${w.server.url}art/${NAME}`), cause);
  assert.deepEqual(snapshot(victimDir), beforeVictim);
  assert.deepEqual(snapshot(dir), beforeDir);
}

test('a symlink planted at NAME.part is refused; nothing is written through it', async () => {
  await refusedPlantedPart(
    symlinkSync,
    /\.part is a symbolic link; refusing to write through it \(remove it and run again\)/,
  );
});

test('a .part that is a hard link to another file is refused; the other file is untouched', async () => {
  await refusedPlantedPart(linkSync, /\.part has 2 hard links; refusing to write a file that has other names/);
});

test('-d with a URL named .xz is refused before writing (no <dir>.part beside the directory)', async () => {
  const parent = mkdtempSync(join(w.tmp, 'parent-'));
  const dir = join(parent, 'out');
  mkdirSync(dir);
  w.server.route('/dotxz/.xz', { body: good() });
  w.server.route('/dotxz/.xz.sig', { body: w.key.signBinary(good()) });
  const before = snapshot(parent);
  const r = await download(dir, `${w.server.url}dotxz/.xz`, ['-d']);
  assertRefused(
    r,
    /refusing to save http:\S+\/dotxz\/\.xz: the file name '\.xz' without its \.xz suffix \(-d\) is empty/,
  );
  assert.deepEqual(snapshot(parent), before);
  assert.deepEqual(snapshot(dir), {});
});

test('a file name with control characters (after a redirect) is refused, and printed escaped', async () => {
  const dir = outDir();
  w.server.route('/ctl/latest.raw.xz', { redirectTo: '/ctl/%1b%5b2J%1b%5b31mevil.raw.xz' });
  w.server.route('/ctl/latest.raw.xz.sig', { body: w.key.signBinary(good()) });
  w.server.route('/ctl/%1b%5b2J%1b%5b31mevil.raw.xz', { body: good() });
  const r = await download(dir, `${w.server.url}ctl/latest.raw.xz`);
  assertRefused(r, /the file name '\\u\{1b\}\[2J\\u\{1b\}\[31mevil\.raw\.xz' contains control characters/);
  assert.doesNotMatch(r.stderr, /\x1b/);
  assert.deepEqual(snapshot(dir), {});
});

test('the final name taken by a directory is refused before anything is downloaded', async () => {
  const dir = outDir();
  mkdirSync(join(dir, NAME));
  const before = snapshot(dir);
  assertRefused(
    await download(dir, `${w.server.url}art/${NAME}`),
    /\.raw\.xz exists and is not a regular file \(a directory\)/,
  );
  assert.deepEqual(snapshot(dir), before);
});

test('a remote feed cannot make download --insecure copy a local file', async () => {
  const secretDir = mkdtempSync(join(w.tmp, 'secret-'));
  const secret = join(secretDir, 'shadow');
  writeFileSync(secret, 'root:$6$secret:19000:0:99999:7:::\n');
  chmodSync(secret, 0o600);
  const base = serveFeed('filefeed', pathToFileURL(secret).toString());
  const dir = outDir();
  const r = await fromFeed(dir, base, ['--insecure']);
  assertRefused(
    r,
    /lists 'file:\/\/\/\S+\/shadow' for the disk artifact: a feed fetched over http\(s\) may only list http:\/\/ or https:\/\/ URLs/,
  );
  assert.deepEqual(snapshot(dir), {});
});

test('a local feed may list local files', async () => {
  const local = mkdtempSync(join(w.tmp, 'local-feed-'));
  writeFileSync(join(local, NAME), good());
  writeFileSync(join(local, `${NAME}.sig`), w.key.signBinary(good()));
  // Relative locations resolve against the feed file's URL.
  const disk = { location: `../${NAME}`, signature: pathToFileURL(join(local, `${NAME}.sig`)).toString() };
  const feed = { architectures: { x86_64: { artifacts: { metal: { formats: { 'raw.xz': { disk } } } } } } };
  mkdirSync(join(local, 'streams'));
  writeFileSync(join(local, 'streams', 's.json'), JSON.stringify(feed));
  const dir = outDir();
  const ok = await fromFeed(dir, `${pathToFileURL(join(local, 'streams')).href}/`);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(sha256(readFileSync(join(dir, NAME))), sha256(good()));
  assert.equal(dirname(ok.stdout.toString().trim()), dir);
});
