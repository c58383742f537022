/** Config files and upstream's merge: accumulation, last-wins, the default quirk, conflicts. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { commandLineConfig, parseInstallWords } from '../../../src/cli/install.js';
import { parseConfigFile, readConfigFile } from '../../../src/install/config-file.js';
import { configArgs, mergeSources } from '../../../src/install/install-config.js';
import { defaultArch } from '../../../src/stream/arch.js';

const cli = (...words: string[]) => commandLineConfig(parseInstallWords(words));

test('repeatables accumulate [c,d,a,b,e,f]; scalars: last wins; a command-line default cannot override', () => {
  const merged = mergeSources([
    parseConfigFile('append-karg: [c, d]\nplatform: qemu\nfetch-retries: 3\narchitecture: s390x\n'),
    parseConfigFile('append-karg: [a, b]\ndest-device: /dev/vdb\n'),
    cli('--append-karg', 'e', '--append-karg', 'f', '--platform', 'gcp', '--fetch-retries', '0', '-a', defaultArch()),
  ]);
  assert.deepEqual(merged['append-karg'], ['c', 'd', 'a', 'b', 'e', 'f']);
  assert.equal(merged['platform'], 'gcp');
  assert.equal(merged['fetch-retries'], '3', 'a command-line value equal to the default does not override');
  assert.equal(merged['architecture'], 's390x');
  assert.deepEqual(configArgs(merged), [
    '--architecture',
    's390x',
    '--platform',
    'gcp',
    '--append-karg',
    'c',
    '--append-karg',
    'd',
    '--append-karg',
    'a',
    '--append-karg',
    'b',
    '--append-karg',
    'e',
    '--append-karg',
    'f',
    '--fetch-retries',
    '3',
    '/dev/vdb',
  ]);
});

test('a repeated single-valued option keeps its last value on the command line', () => {
  assert.deepEqual(
    cli('-p', 'aws', '--platform', 'gcp', '-I', 'https://a/x.ign', '-I', 'https://b/y.ign', '/dev/vda'),
    {
      'ignition-url': 'https://b/y.ign',
      platform: 'gcp',
      'dest-device': '/dev/vda',
    },
  );
});

test('device in both places and conflicting sources are usage errors', () => {
  assert.throws(() => mergeSources([parseConfigFile('dest-device: /dev/a\n'), cli('/dev/b')]), {
    name: 'UsageError',
    message: /only once/,
  });
  assert.throws(() => mergeSources([parseConfigFile('stream: stable\n'), cli('-u', 'https://x/y')]), {
    name: 'UsageError',
    message: "the argument '--image-url <URL>' cannot be used with '--stream <name>'",
  });
  assert.throws(() => mergeSources([cli('-f', 'a.raw', '-u', 'https://x/y')]), {
    name: 'UsageError',
    message: /'--image-file <path>' cannot be used with '--image-url <URL>'/,
  });
  assert.throws(() => mergeSources([parseConfigFile('ignition-url: https://x/c.ign\n'), cli('-i', 'c.ign')]), {
    name: 'UsageError',
    message: /'--ignition-url <URL>' cannot be used with '--ignition-file <path>'/,
  });
});

test('console specs normalise; a default config and a lone device serialise as upstream', () => {
  assert.deepEqual(parseConfigFile('console: [ttyS0, tty0]\n')['console'], ['ttyS0,9600n8', 'tty0']);
  assert.deepEqual(configArgs(mergeSources([parseConfigFile('{}')])), []);
  assert.deepEqual(configArgs(mergeSources([parseConfigFile('dest-device: foo\n')])), ['foo']);
  assert.deepEqual(
    parseConfigFile('fetch-retries: 0\ninsecure: false\nnetwork-dir: /etc/NetworkManager/system-connections/\n'),
    {},
  );
});

test('unknown keys and config-file/firstboot-args keys are rejected; bad values name the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cfg-'));
  try {
    for (const [body, cause] of [
      ['bogus: 1\n', /unknown field 'bogus'/],
      ['config-file: x\n', /unknown field 'config-file'/],
      ['firstboot-args: x\n', /unknown field 'firstboot-args'/],
      ['append-karg: notalist\n', /append-karg/],
      ['console: [bogus0]\n', /invalid or unsupported console argument 'bogus0'/],
    ] as const) {
      const f = join(dir, 'c.yaml');
      await writeFile(f, body);
      await assert.rejects(readConfigFile(f), (err: Error) => {
        assert.match(err.message, /^parsing config file .*c\.yaml$/);
        assert.match(String((err.cause as Error).message), cause);
        return true;
      });
    }
    const ok = join(dir, 'ok.yaml');
    await writeFile(ok, 'dest-device: foo\nfetch-retries: 2\ninsecure: true\n');
    assert.deepEqual(await readConfigFile(ok), { 'dest-device': 'foo', 'fetch-retries': '2', insecure: true });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
