/**
 * docs/cli.md and the man pages (man/nestos-installer*.8) are generated from the real `--help` of
 * every command (scripts/gen-cli-docs). This fails when the CLI changed and they were not
 * regenerated: run `npm run build && scripts/gen-cli-docs` and commit docs/cli.md and man/.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { MAIN_JS, REPO_ROOT } from '../../helpers/paths.js';

const STALE = 'stale: run `npm run build && scripts/gen-cli-docs` and commit docs/cli.md and man/';

test('docs/cli.md and man/*.8 match a fresh generation from --help', { timeout: 240_000 }, async () => {
  const fresh = mkdtempSync(join(tmpdir(), 'cli-docs-'));
  try {
    await promisify(execFile)(process.execPath, [
      join(REPO_ROOT, 'scripts/gen-cli-docs'),
      '--main',
      MAIN_JS,
      '--root',
      fresh,
    ]);
    const md = readFileSync(join(fresh, 'docs/cli.md'), 'utf8');
    assert.ok(md.includes('## `nestos-installer install`'), 'the generator must document install');
    assert.equal(readFileSync(join(REPO_ROOT, 'docs/cli.md'), 'utf8'), md, `docs/cli.md is ${STALE}`);
    const pages = readdirSync(join(fresh, 'man')).sort();
    assert.ok(pages.includes('nestos-installer-iso-ignition-embed.8'), 'one page per subcommand, as upstream');
    assert.deepEqual(
      readdirSync(join(REPO_ROOT, 'man'))
        .filter((f) => f.endsWith('.8'))
        .sort(),
      pages,
      `man/ is ${STALE}`,
    );
    for (const page of pages) {
      assert.equal(
        readFileSync(join(REPO_ROOT, 'man', page), 'utf8'),
        readFileSync(join(fresh, 'man', page), 'utf8'),
        `man/${page} is ${STALE}`,
      );
    }
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
});
