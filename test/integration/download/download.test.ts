/** `download` against a real local HTTP server: formats, -d, pxe, existing files, redirects. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { createWorld, sha256, type World } from './fixture.js';

let w: World;
before(async () => {
  w = await createWorld();
});
after(async () => {
  await w.dispose();
});

const outDir = () => mkdtempSync(join(w.tmp, 'out-'));
const dl = (dir: string, args: string[]) =>
  runCli(
    [
      'download',
      '--stream-base-url',
      `${w.server.url}streams/`,
      '-s',
      'testing',
      '-a',
      'x86_64',
      '--trusted-key',
      w.keyFile,
      '-C',
      dir,
      ...args,
    ],
    { env: w.env },
  );

for (const format of ['raw', 'raw.gz', 'raw.xz', 'raw.zst']) {
  test(`downloads and verifies the ${format} artifact with its signature`, async () => {
    const dir = outDir();
    const r = await dl(dir, ['-f', format]);
    assert.equal(r.code, 0, r.stderr);
    const name = `nestos-test-metal.x86_64.${format}`;
    assert.equal(r.stdout.toString(), `${join(dir, name)}\n`);
    assert.deepEqual(readFileSync(join(dir, name)), w.files[name]);
    assert.deepEqual(readdirSync(dir).sort(), [name, `${name}.sig`]);
    assert.match(
      r.stderr,
      /Downloading x86_64 metal image \(.+\) and signature referenced from http:\/\/127\.0\.0\.1:\d+\/streams\/testing\.json/,
    );
  });
}

test('the saved .sig is the published signature, byte for byte', async () => {
  const dir = outDir();
  const r = await dl(dir, ['-f', 'raw.xz']);
  assert.equal(r.code, 0, r.stderr);
  const served = await fetch(`${w.server.url}art/nestos-test-metal.x86_64.raw.xz.sig`).then(async (x) =>
    Buffer.from(await x.arrayBuffer()),
  );
  assert.deepEqual(readFileSync(join(dir, 'nestos-test-metal.x86_64.raw.xz.sig')), served);
});

for (const format of ['raw.gz', 'raw.xz']) {
  test(`-d decompresses ${format}, strips the suffix and saves no .sig`, async () => {
    const dir = outDir();
    const r = await dl(dir, ['-f', format, '-d']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), `${join(dir, 'nestos-test-metal.x86_64.raw')}\n`);
    assert.deepEqual(readFileSync(join(dir, 'nestos-test-metal.x86_64.raw')), w.raw);
    assert.deepEqual(readdirSync(dir), ['nestos-test-metal.x86_64.raw']);
  });
}

test('-d leaves .zst compressed (upstream rule) and still saves no .sig', async () => {
  const dir = outDir();
  const r = await dl(dir, ['-f', 'raw.zst', '-d']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(dir), ['nestos-test-metal.x86_64.raw.zst']);
  assert.deepEqual(
    readFileSync(join(dir, 'nestos-test-metal.x86_64.raw.zst')),
    w.files['nestos-test-metal.x86_64.raw.zst'],
  );
});

test('pxe downloads kernel, initramfs and rootfs, one path per line sorted by type', async () => {
  const dir = outDir();
  const r = await dl(dir, ['-f', 'pxe']);
  assert.equal(r.code, 0, r.stderr);
  const names = [
    'nestos-test-live-initramfs.x86_64.img',
    'nestos-test-live-kernel-x86_64',
    'nestos-test-live-rootfs.x86_64.img',
  ];
  assert.equal(r.stdout.toString(), names.map((n) => `${join(dir, n)}\n`).join(''));
  for (const n of names) assert.deepEqual(readFileSync(join(dir, n)), w.files[n]);
});

test('an existing verified file is not downloaded again', async () => {
  const dir = outDir();
  assert.equal((await dl(dir, ['-f', 'raw.xz'])).code, 0);
  const path = join(dir, 'nestos-test-metal.x86_64.raw.xz');
  const before = statSync(path);
  const r = await dl(dir, ['-f', 'raw.xz']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), `${path}\n`);
  const now = statSync(path);
  assert.equal(now.ino, before.ino);
  assert.equal(now.mtimeMs, before.mtimeMs);
  assert.doesNotMatch(r.stderr, /Read disk/);
});

test('an existing file that does not verify is replaced', async () => {
  const dir = outDir();
  assert.equal((await dl(dir, ['-f', 'raw.gz'])).code, 0);
  const path = join(dir, 'nestos-test-metal.x86_64.raw.gz');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path, 'garbage');
  const r = await dl(dir, ['-f', 'raw.gz']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(path), w.files['nestos-test-metal.x86_64.raw.gz']);
});

test('-u downloads a URL with URL.sig, named after the final URL after a redirect', async () => {
  w.server.route('/go/latest.raw.xz', { redirectTo: '/art/nestos-test-metal.x86_64.raw.xz' });
  w.server.route('/go/latest.raw.xz.sig', { redirectTo: '/art/nestos-test-metal.x86_64.raw.xz.sig' });
  const dir = outDir();
  const r = await runCli(['download', '-u', `${w.server.url}go/latest.raw.xz`, '--trusted-key', w.keyFile, '-C', dir], {
    env: w.env,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /Downloading image from http:.*\/go\/latest\.raw\.xz\nDownloading signature from http:.*\/go\/latest\.raw\.xz\.sig/,
  );
  assert.equal(r.stdout.toString(), `${join(dir, 'nestos-test-metal.x86_64.raw.xz')}\n`);
  assert.deepEqual(readdirSync(dir).sort(), ['nestos-test-metal.x86_64.raw.xz', 'nestos-test-metal.x86_64.raw.xz.sig']);
});

test('an armored signature and a binary trusted key verify too', async () => {
  const name = 'nestos-test-metal.x86_64.raw.gz';
  w.server.route('/armored/x.raw.gz', { body: w.files[name]! });
  w.server.route('/armored/x.raw.gz.sig', { body: w.key.signArmored(w.files[name]!) });
  const { writeFileSync } = await import('node:fs');
  const bin = join(w.tmp, 'trusted.gpg');
  writeFileSync(bin, w.key.publicBinary);
  const dir = outDir();
  const r = await runCli(['download', '-u', `${w.server.url}armored/x.raw.gz`, '--trusted-key', bin, '-C', dir], {
    env: w.env,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(join(dir, 'x.raw.gz')), w.files[name]);
});

test('keys in the system keys.d directory are trusted', async () => {
  const { mkdtempSync: mk, writeFileSync } = await import('node:fs');
  const keysDir = mk(join(w.tmp, 'keysd-'));
  writeFileSync(join(keysDir, 'test.asc'), w.key.publicArmored);
  const dir = outDir();
  const r = await runCli(
    [
      'download',
      '--stream-base-url',
      `${w.server.url}streams/`,
      '-s',
      'testing',
      '-a',
      'x86_64',
      '-f',
      'raw',
      '-C',
      dir,
    ],
    { env: { ...w.env, NESTOS_INSTALLER_KEYS_DIR: keysDir } },
  );
  assert.equal(r.code, 0, r.stderr);
});

test('--json: paths, sizes, sha256 and the verifying key of every artifact in one result record; stdout empty', async () => {
  const dir = outDir();
  const r = await dl(dir, ['-f', 'pxe', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, 0);
  const records = r.stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const { readKey } = await import('openpgp');
  const fingerprint = (await readKey({ armoredKey: w.key.publicArmored.toString() })).getFingerprint().toUpperCase();
  const results = records.filter((l) => l.type === 'result');
  assert.equal(results.length, 1, r.stderr);
  const names = [
    'nestos-test-live-initramfs.x86_64.img',
    'nestos-test-live-kernel-x86_64',
    'nestos-test-live-rootfs.x86_64.img',
  ];
  assert.deepEqual(
    results[0]!.artifacts,
    names.map((n) => ({
      path: join(dir, n),
      size: w.files[n]!.length,
      sha256: sha256(w.files[n]!),
      signature: { fingerprint, userId: 'Test <t@example>' },
    })),
  );
  assert.equal(records.filter((l) => l.type === 'signature').length, 3);
  assert.ok(
    records.every((l) => typeof l.type === 'string'),
    'every stderr line is a JSON record',
  );
});

test('--json: a failure is one error record with its causes, exit 1', async () => {
  const r = await dl(outDir(), ['-f', 'no-such-format', '--json']);
  assert.equal(r.code, 1, r.stderr);
  const errors = r.stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.type === 'error');
  assert.equal(errors.length, 1, r.stderr);
  assert.match(String(errors[0]!.message), /no-such-format/);
});

test('-C of a directory that does not exist is refused before anything is fetched, and not created', async () => {
  const missing = join(w.tmp, 'no-such-dir', 'deeper');
  const before = w.server.requests.length;
  const r = await dl(missing, ['-f', 'raw.xz']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^Error: download directory \S+deeper does not exist; create it first or pass another -C$/m);
  assert.match(r.stderr, /ENOENT/);
  assert.equal(existsSync(join(w.tmp, 'no-such-dir')), false);
  assert.equal(w.server.requests.length, before);
});

test('an unknown stream says so and how to check it; the status stays in the causes', async () => {
  const r = await runCli(
    [
      'download',
      '--stream-base-url',
      `${w.server.url}streams/`,
      '-s',
      'tesitng',
      '-C',
      outDir(),
      '--trusted-key',
      w.keyFile,
    ],
    { env: w.env },
  );
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^Error: unknown stream 'tesitng': check the name given with -s/m);
  assert.match(r.stderr, /Caused by:\n {4}0: stream metadata fetch from \S+tesitng\.json failed: 404/);
});

test('an unknown format lists the formats that exist for that architecture and platform', async () => {
  const r = await dl(outDir(), ['-f', 'qcow2.xz']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /couldn't find architecture x86_64, platform metal, format qcow2\.xz in stream metadata \(formats for x86_64 metal: pxe, raw, raw\.gz, raw\.xz, raw\.zst\)/,
  );
  const p = await dl(outDir(), ['-p', 'qemu']);
  assert.match(p.stderr, /\(platforms for x86_64: metal\)/);
});
