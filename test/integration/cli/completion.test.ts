/**
 * `completion bash|zsh`: the script yargs generates, loaded into a real bash, completes commands
 * and flags by asking the program (found on PATH under its name); zsh's script names zsh's
 * completion system. Any other shell is a usage error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { runCli } from '../../helpers/cli.js';
import { MAIN_JS } from '../../helpers/paths.js';

let bin: string;
before(() => {
  bin = mkdtempSync(join(tmpdir(), 'completion-'));
  writeFileSync(join(bin, 'nestos-installer'), `#!/bin/sh\nexec '${process.execPath}' '${MAIN_JS}' "$@"\n`);
  chmodSync(join(bin, 'nestos-installer'), 0o755);
});
after(() => rmSync(bin, { recursive: true, force: true }));

/** What bash offers for the words typed so far (the last one being completed). */
async function bashCompletes(words: string[]): Promise<string[]> {
  const script = [
    'source <(nestos-installer completion bash)',
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_nestos-installer_yargs_completions',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const { stdout } = await promisify(execFile)('bash', ['-c', script], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SHELL: '/bin/bash' },
  });
  return stdout.split('\n').filter(Boolean);
}

test('bash completes commands, subcommands and flags', async () => {
  assert.deepEqual(await bashCompletes(['nestos-installer', 'ins']), ['install']);
  assert.deepEqual(await bashCompletes(['nestos-installer', 'iso', 'ka']), ['kargs']);
  assert.deepEqual((await bashCompletes(['nestos-installer', 'download', '--str'])).sort(), [
    '--stream',
    '--stream-base-url',
  ]);
});

test('the zsh script is a zsh completion function', async () => {
  const r = await runCli(['completion', 'zsh']);
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout.toString();
  assert.match(text, /^#compdef nestos-installer$/m);
  assert.match(text, /compdef _nestos-installer_yargs_completions nestos-installer/);
  assert.match(text, /nestos-installer --get-yargs-completions/);
});

test('an unknown shell is a usage error naming the choices', async () => {
  const r = await runCli(['completion', 'fish']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Choices: "bash", "zsh"/);
});
