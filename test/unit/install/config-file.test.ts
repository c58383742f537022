import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mergeInstallOptions, readConfigFile, serializeArgs } from '../../../src/install/config-file.js';
import { defaultInstallOptions } from '../../../src/install/options.js';

test('repeatables accumulate [c,d,a,b,e,f]-style; scalars: last wins; CLI default cannot override', () => {
  const cli = { ...defaultInstallOptions(), appendKargs: ['e', 'f'], platform: 'gcp', fetchRetries: 0 };
  const { options, args } = mergeInstallOptions([
    { 'append-karg': ['c', 'd'], platform: 'qemu', 'fetch-retries': '3' },
    { 'append-karg': ['a', 'b'], 'dest-device': '/dev/vdb' },
  ], cli);
  assert.deepEqual(options.appendKargs, ['c', 'd', 'a', 'b', 'e', 'f']);
  assert.equal(options.platform, 'gcp');
  assert.equal(options.fetchRetries, 3, 'a CLI value equal to the default does not override');
  assert.equal(options.dest, '/dev/vdb');
  assert.deepEqual(args, ['--platform', 'qemu', '--append-karg', 'c', '--append-karg', 'd', '--fetch-retries', '3',
    '--append-karg', 'a', '--append-karg', 'b', '--platform', 'gcp', '--append-karg', 'e', '--append-karg', 'f', '/dev/vdb']);
});

test('device in both places and conflicting sources are errors', () => {
  assert.throws(() => mergeInstallOptions([{ 'dest-device': '/dev/a' }], { ...defaultInstallOptions(), dest: '/dev/b' }), /only once/);
  assert.throws(() => mergeInstallOptions([{ stream: 'stable' }], { ...defaultInstallOptions(), imageUrl: 'https://x/y' }), /cannot be used with/);
});

test('console specs normalise; default config serialises to nothing', () => {
  const { options } = mergeInstallOptions([{ console: ['ttyS0'] }], defaultInstallOptions());
  assert.deepEqual(options.consoles, ['ttyS0,9600n8']);
  assert.deepEqual(serializeArgs(defaultInstallOptions()), []);
});

test('unknown keys and config-file/firstboot-args keys are rejected', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cfg-'));
  try {
    for (const body of ['bogus: 1\n', 'config-file: x\n', 'firstboot-args: x\n', 'append-karg: notalist\n']) {
      const f = join(dir, 'c.yaml');
      await writeFile(f, body);
      await assert.rejects(readConfigFile(f), /parsing config file/);
    }
    const ok = join(dir, 'ok.yaml');
    await writeFile(ok, 'dest-device: foo\nfetch-retries: 2\ninsecure: true\n');
    assert.deepEqual(await readConfigFile(ok), { 'dest-device': 'foo', 'fetch-retries': '2', insecure: true });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
