/**
 * docs/cli.md is generated from the real `--help` of every command (scripts/gen-cli-docs).
 * This fails when the CLI changed and the docs were not regenerated: run
 * `npm run build && scripts/gen-cli-docs` and commit docs/cli.md.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { MAIN_JS, REPO_ROOT } from '../../helpers/paths.js';

test('docs/cli.md matches a fresh generation from --help', { timeout: 240_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'scripts/gen-cli-docs'), '--main', MAIN_JS, '--stdout'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const committed = readFileSync(join(REPO_ROOT, 'docs/cli.md'), 'utf8');
  assert.ok(stdout.includes('## `nestos-installer install`'), 'the generator must document install');
  assert.equal(committed, stdout, 'docs/cli.md is stale: run `npm run build && scripts/gen-cli-docs` and commit it');
});
