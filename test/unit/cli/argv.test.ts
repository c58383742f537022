/**
 * Command-line semantics as upstream's parser has them: conflicts and missing values are usage
 * errors (exit 2), a repeated single-valued flag is refused outside `install` and keeps its last
 * value in `install`, `-p` is `--platform`, `-` is stdin. Parsed in-process (buildCli); every
 * case fails before any file is opened.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import yargs from 'yargs';
import { buildCli } from '../../../src/cli/index.js';
import { commandLineConfig, parseInstallWords } from '../../../src/cli/install.js';
import { inputPath } from '../../../src/cli/options.js';

const ABSENT = '/nonexistent/nestos-installer-argv-test';

async function usageError(argv: string[], message: RegExp): Promise<void> {
  await assert.rejects(
    async () => buildCli(argv).parseAsync(),
    (err: Error) => {
      assert.equal(err.name, 'UsageError', `${argv.join(' ')}: ${err.stack ?? err.message}`);
      assert.match(err.message, message);
      return true;
    },
  );
}

test('a flag without its value is a usage error', async () => {
  await usageError(['install', '-s'], /Not enough arguments following: s/);
  await usageError(['install', '--append-karg'], /Not enough arguments following: append-karg/);
  await usageError(['iso', 'ignition', 'embed', `${ABSENT}.iso`, '-i'], /Not enough arguments following: i/);
});

test('-s, -u and -f exclude each other, and so do -i and -I (usage errors)', async () => {
  await usageError(
    ['install', '-s', 'stable', '-u', 'https://h/i.raw.xz', `${ABSENT}/disk`],
    /'--image-url <URL>' cannot be used with '--stream <name>'/,
  );
  await usageError(
    ['install', '-s', 'stable', '-f', `${ABSENT}/i.raw.xz`, `${ABSENT}/disk`],
    /'--image-file <path>' cannot be used with '--stream <name>'/,
  );
  await usageError(
    ['install', '-u', 'https://h/i.raw.xz', '-f', `${ABSENT}/i.raw.xz`, `${ABSENT}/disk`],
    /'--image-file <path>' cannot be used with '--image-url <URL>'/,
  );
  await usageError(
    ['install', '-i', `${ABSENT}/c.ign`, '-I', 'https://h/c.ign', `${ABSENT}/disk`],
    /'--ignition-url <URL>' cannot be used with '--ignition-file <path>'/,
  );
});

test('dev show iso --ignition --kargs is a usage error', async () => {
  await usageError(
    ['dev', 'show', 'iso', '--ignition', '--kargs', `${ABSENT}.iso`],
    /'--ignition' cannot be used with '--kargs'/,
  );
});

test('outside install, a single-valued flag given twice is a usage error (never a joined "a,b" path)', async () => {
  await usageError(
    ['iso', 'ignition', 'embed', '-i', `${ABSENT}/a`, '-i', `${ABSENT}/b`, `${ABSENT}.iso`],
    /'--ignition-file' cannot be used multiple times/,
  );
  await usageError(
    ['iso', 'customize', '--dest-device', '/dev/a', '--dest-device', '/dev/b', `${ABSENT}.iso`],
    /'--dest-device' cannot be used multiple times/,
  );
  await usageError(
    ['pxe', 'ignition', 'wrap', '-o', `${ABSENT}/a`, '-o', `${ABSENT}/b`],
    /'--output' cannot be used multiple times/,
  );
});

test('iso customize validates --dest-console before touching the ISO', async () => {
  await usageError(
    ['iso', 'customize', '--dest-console', 'ttyX9', `${ABSENT}.iso`],
    /invalid or unsupported console argument 'ttyX9'/,
  );
  await usageError(
    ['iso', 'customize', '--dest-console', '/dev/ttyS0', `${ABSENT}.iso`],
    /specify only the console name/,
  );
});

test('install: -p is --platform; a repeated scalar keeps its last value; lists keep every value in order', () => {
  const config = commandLineConfig(
    parseInstallWords([
      '-p',
      'qemu',
      '--platform',
      'gcp',
      '--console',
      'ttyS1,115200',
      '--console',
      'tty0',
      '--append-karg',
      'a',
      '--append-karg',
      'b',
      '--fetch-retries',
      '2',
      '--fetch-retries',
      'infinite',
      '--ignition',
      `${ABSENT}/c.ign`,
      '/dev/vda',
    ]),
  );
  assert.deepEqual(config, {
    'ignition-file': `${ABSENT}/c.ign`,
    platform: 'gcp',
    console: ['ttyS1,115200n8', 'tty0'],
    'append-karg': ['a', 'b'],
    'fetch-retries': 'infinite',
    'dest-device': '/dev/vda',
  });
  assert.throws(() => parseInstallWords(['--no-such-flag']), { name: 'UsageError' });
  assert.throws(
    () => commandLineConfig(parseInstallWords(['--fetch-retries', 'forever'])),
    /expected a number or 'infinite'/,
  );
});

test("a lone '-' positional means stdin", () => {
  const argv = yargs(['show', '-'])
    .command('show <initrd>', '', (y) => y.positional('initrd', { type: 'string' }))
    .parseSync() as Record<string, unknown>;
  assert.equal(inputPath(argv, 'initrd'), '-');
  assert.equal(inputPath({ initrd: 'x.img' }, 'initrd'), 'x.img');
  assert.equal(inputPath({}, 'initrd'), undefined);
});

test('a dotted flag name (--stream.x=1) is a usage error, never the text "[object Object]"', async () => {
  await usageError(
    ['download', '--stream.x=1', '-C', ABSENT],
    /unexpected argument value \{"x":1\}: a flag name cannot contain '\.'/,
  );
});
