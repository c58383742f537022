/**
 * `install --dry-run --json` states the effective install: `options` in upstream's config-file
 * form after merging `-c` files and the command line, plan lines naming every value that will be
 * written, `Running with arguments:` once per value. Also `--no-validate` and Ignition specs
 * newer than the validator knows. Nothing is written by a dry run.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli as runCliAs, type CliOptions, type CliResult } from '../../helpers/cli.js';
import { IMAGES_DIR } from '../../helpers/paths.js';
import { serveDirectory } from '../../helpers/static-server.js';

const dir = mkdtempSync(join(tmpdir(), 'install-dry-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const DISK = join(dir, 'disk.img');
// An existing (sparse) disk image: a dry run plans against a real target.
writeFileSync(DISK, '');
truncateSync(DISK, 4 * 1024 ** 3);
// The sample image and its signature served on 127.0.0.1; the sample key trusted through the
// system keys dir: a dry run opens the source and checks what it can before writing.
const SAMPLE = join(IMAGES_DIR, 'nestos-sample-metal.x86_64.raw.xz');
const served = join(dir, 'served');
mkdirSync(served);
copyFileSync(SAMPLE, join(served, 'image.raw.xz'));
copyFileSync(`${SAMPLE}.sig`, join(served, 'image.raw.xz.sig'));
const server = await serveDirectory(served);
after(() => server.close());
const keysDir = join(dir, 'keys.d');
mkdirSync(keysDir);
copyFileSync(join(IMAGES_DIR, 'sample-signing-key.pub.asc'), join(keysDir, 'sample.asc'));
const runCli = (args: string[], options: CliOptions = {}) =>
  runCliAs(args, { ...options, env: { NESTOS_INSTALLER_KEYS_DIR: keysDir, ...options.env } });
const URL = `${server.baseUrl}/image.raw.xz`;

function result(r: CliResult): Record<string, unknown> {
  const line = r.stderr.split('\n').find((l) => l.startsWith('{"type":"result"'));
  assert.ok(line, r.stderr);
  return JSON.parse(line) as Record<string, unknown>;
}

test('options and plan: config files merged under the command line, values normalised, every written value named', async () => {
  const ign = file('config.ign', '{"ignition":{"version":"3.4.0"}}\n');
  const a = file(
    'a.yaml',
    `image-url: ${URL}\nappend-karg: [from-a]\nconsole: [ttyS0]\nplatform: metal\nfetch-retries: 5\n`,
  );
  const b = file('b.yaml', `ignition-file: ${ign}\nappend-karg: [from-b]\ndelete-karg: [quiet]\n`);
  const r = await runCli([
    'install',
    '-c',
    a,
    '-c',
    b,
    '-p',
    'qemu',
    '--platform',
    'gcp',
    '--append-karg',
    'from-cli',
    '--fetch-retries',
    '0',
    '--copy-network',
    '--network-dir',
    dir,
    DISK,
    '--dry-run',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const res = result(r);
  assert.deepEqual(res['options'], {
    'image-url': URL,
    'ignition-file': ign,
    platform: 'gcp',
    console: ['ttyS0,9600n8'],
    'append-karg': ['from-a', 'from-b', 'from-cli'],
    'delete-karg': ['quiet'],
    'copy-network': true,
    'network-dir': dir,
    'fetch-retries': '5',
    'dest-device': DISK,
  });
  const sha = createHash('sha256').update('{"ignition":{"version":"3.4.0"}}\n').digest('hex');
  const plan = res['plan'] as string[];
  for (const line of [
    `ignition: ${ign} (sha256 ${sha})`,
    'platform: gcp',
    'console: ttyS0,9600n8',
    'append karg: from-a',
    'append karg: from-b',
    'append karg: from-cli',
    'delete karg: quiet',
    `network config: from ${dir}`,
  ]) {
    assert.ok(plan.includes(line), `plan names "${line}":\n${plan.join('\n')}`);
  }
  assert.match(
    r.stderr,
    new RegExp(
      `"Running with arguments: --image-url ${URL} --ignition-file ${ign} --platform gcp --console ttyS0,9600n8 ` +
        `--append-karg from-a --append-karg from-b --append-karg from-cli --delete-karg quiet --copy-network --network-dir ${dir} --fetch-retries 5 ${DISK}"`,
    ),
  );
  assert.equal(statSync(DISK).blocks, 0, 'a dry run writes nothing');
});

test('plan lines name a URL Ignition config with its hash and the first-boot kernel arguments', async () => {
  const hash = `sha256-${'a'.repeat(64)}`;
  const r = await runCli([
    'install',
    '-u',
    URL,
    '-I',
    'http://127.0.0.1:9/c.ign',
    '--ignition-hash',
    hash,
    '--firstboot-args',
    'rd.neednet=1 ip=dhcp ',
    DISK,
    '--dry-run',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const plan = r.stdout.toString().split('\n');
  assert.ok(
    plan.includes(`ignition: http://127.0.0.1:9/c.ign (fetched at install time, must match ${hash})`),
    plan.join('\n'),
  );
  assert.ok(plan.includes('first-boot kernel arguments: rd.neednet=1 ip=dhcp '), plan.join('\n'));
});

test('a config file and the command line that conflict are a usage error', async () => {
  const a = file('stream.yaml', 'stream: stable\n');
  const r = await runCli(['install', '-c', a, '-u', URL, DISK, '--dry-run']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^error: the argument '--image-url <URL>' cannot be used with '--stream <name>'$/m);
});

test('Ignition: an invalid config is refused unless --no-validate; a newer 3.x spec warns and is validated as the newest known', async () => {
  const bad = file('bad.ign', '{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"relative"}]}}');
  const refused = await runCli(['install', '-u', URL, '-i', bad, DISK, '--dry-run']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /\$\.storage\.files\[0\]\.path: path not absolute/);
  const skipped = await runCli(['install', '-u', URL, '-i', bad, '--no-validate', DISK, '--dry-run', '--json']);
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.equal((result(skipped)['options'] as Record<string, unknown>)['no-validate'], true);
  const notJson = file('not.ign', 'not json');
  const stillJson = await runCli(['install', '-u', URL, '-i', notJson, '--no-validate', DISK, '--dry-run']);
  assert.equal(stillJson.code, 1);
  assert.match(stillJson.stderr, /parsing specified Ignition config/);
  const newer = file('newer.ign', '{"ignition":{"version":"3.7.0"}}');
  const warned = await runCli(['install', '-u', URL, '-i', newer, DISK, '--dry-run']);
  assert.equal(warned.code, 0, warned.stderr);
  assert.match(
    warned.stderr,
    /\$\.ignition\.version: spec 3\.7\.0 is newer than 3\.6\.0, the newest known here; validated as 3\.6\.0/,
  );
});
