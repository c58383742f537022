/**
 * Help and its hints through the real CLI: typo suggestions for commands and flags (exit 2),
 * the subcommands when one is missing, `help <command>`, 80-column help on a narrow terminal,
 * the install options before the ostree deploy ones, one wording for shared flags, and
 * `--version` named after the program.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { MAIN_JS, REPO_ROOT } from '../../helpers/paths.js';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

test('a mistyped command gets the similar one as a tip, exit 2', async () => {
  const r = await runCli(['instal', '/dev/null']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /^error: unrecognized subcommand 'instal'\n\n {2}tip: a similar subcommand exists: 'install'\n/,
  );
});

test('a mistyped flag gets the similar one as a tip, exit 2', async () => {
  const r = await runCli(['download', '--strem', 'stable']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /^error: unexpected argument '--strem' found\n\n {2}tip: a similar argument exists: '--stream'\n/,
  );
});

test('a group without its subcommand lists the subcommands, exit 2', async () => {
  const r = await runCli(['iso']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /a subcommand is required\n\n {2}subcommands: ignition, network, kargs, reset, extract, customize\n/,
  );
  const k = await runCli(['iso', 'kargs']);
  assert.match(k.stderr, /subcommands: modify, reset, show\n/);
});

test("`help <command>` prints that command's help", async () => {
  const help = await runCli(['help', 'iso', 'kargs', 'modify']);
  const flag = await runCli(['iso', 'kargs', 'modify', '--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout.toString(), /Modify kernel args in an ISO image/);
  assert.equal(help.stdout.toString(), flag.stdout.toString());
});

test('help on a 40-column terminal is the 80-column help: no flag name is split', async () => {
  const piped = (await runCli(['download', '--help'])).stdout.toString();
  const cmd = `stty cols 40 rows 24; exec '${process.execPath}' '${MAIN_JS}' download --help`;
  const narrow = await new Promise<string>((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out.replace(/\r\n/g, '\n')));
  });
  assert.match(piped, /--stream-base-url/);
  assert.equal(narrow, piped);
});

test("install --help lists the image install's options before the ostree deploy group", async () => {
  const text = (await runCli(['install', '--help'])).stdout.toString();
  const options = text.indexOf('\nOptions:\n');
  const ostree = text.indexOf('\nOSTree deploy:\n');
  assert.ok(options > 0 && ostree > options, text);
  assert.ok(text.indexOf('--image-url') < ostree, 'main options are in the first group');
});

test('flags shared by install and download read the same in both', async () => {
  const install = (await runCli(['install', '--help'])).stdout.toString();
  const download = (await runCli(['download', '--help'])).stdout.toString();
  const entry = (text: string, flag: string) => {
    const lines = text.split('\n');
    const i = lines.findIndex((l) => new RegExp(`^\\s+(-\\w, )?${flag}\\s`).test(l));
    assert.ok(i >= 0, `${flag} in\n${text}`);
    // The flag's line and its continuation lines, without the flag column.
    const block = [lines[i]!];
    for (let j = i + 1; j < lines.length && /^\s{10,}\S/.test(lines[j]!) && !/^\s+-/.test(lines[j]!); j++)
      block.push(lines[j]!);
    return block
      .join(' ')
      .replace(/^\s+(-\w, )?--[\w-]+/, '')
      .replace(/\s+/g, ' ')
      .trim();
  };
  for (const flag of ['--trusted-key', '--architecture', '--insecure', '--stream-base-url', '--fetch-retries']) {
    assert.equal(entry(install, flag), entry(download, flag), flag);
  }
  assert.match(entry(download, '--architecture'), /\[default: uname -m\]/);
});

test('--version names the program, as upstream', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), `nestos-installer ${VERSION}\n`);
  const coreos = await runCli(['--version'], { env: { NESTOS_INSTALLER_PROGRAM: '/usr/bin/coreos-installer' } });
  assert.equal(coreos.stdout.toString(), `coreos-installer ${VERSION}\n`);
});
