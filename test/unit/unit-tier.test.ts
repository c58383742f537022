/**
 * The unit tier checks code in-process: no file under test/unit, nor a test helper it imports,
 * may import node:child_process or execa, run the CLI (helpers/cli, MAIN_JS). A test that checks
 * what a process does (exit codes, stdout/stderr, memory, exit) belongs in test/integration;
 * a system tool used as an oracle goes through helpers/system-tool, which refuses node.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/paths.js';
import { runTool } from '../helpers/system-tool.js';

const UNIT_DIR = join(REPO_ROOT, 'test/unit');
const FORBIDDEN_MODULES = new Set(['node:child_process', 'child_process', 'execa']);

/** Every module specifier a TypeScript source imports, statically or dynamically. */
function importedSpecifiers(source: string): string[] {
  const pattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  return [...source.matchAll(pattern)].map((m) => m[1]!);
}

/**
 * Why `source` may not be part of the unit tier, one line per reason. Naming MAIN_JS counts in a
 * test (it runs the CLI with it) but not in a helper (paths.ts defines it beside other paths).
 */
function violations(source: string, isHelper = false): string[] {
  const found: string[] = [];
  for (const spec of importedSpecifiers(source)) {
    if (FORBIDDEN_MODULES.has(spec)) found.push(`imports ${spec}`);
    if (/(^|\/)helpers\/cli(\.js)?$|^\.\/cli(\.js)?$/.test(spec)) found.push(`imports ${spec} (runs the CLI)`);
  }
  if (!isHelper && /\bMAIN_JS\b/.test(source)) found.push('names MAIN_JS (the CLI bundle)');
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The test helpers `file` imports, directly or through other helpers (system-tool excepted). */
function importedHelpers(file: string, seen = new Set<string>()): string[] {
  for (const spec of importedSpecifiers(readFileSync(file, 'utf8'))) {
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    if (!target.startsWith(join(REPO_ROOT, 'test/helpers/')) || target.endsWith('/system-tool.ts') || seen.has(target))
      continue;
    seen.add(target);
    importedHelpers(target, seen);
  }
  return [...seen];
}

test('the check catches each way of starting a process or the CLI', () => {
  assert.deepEqual(violations(`import { spawn } from 'node:child_process';`), ['imports node:child_process']);
  assert.deepEqual(violations(`const { execFile } = await import('node:child_process');`), [
    'imports node:child_process',
  ]);
  assert.deepEqual(violations(`import { execa } from 'execa';`), ['imports execa']);
  assert.deepEqual(violations(`import { runCli } from '../../helpers/cli.js';`), [
    'imports ../../helpers/cli.js (runs the CLI)',
  ]);
  assert.deepEqual(violations(`import { MAIN_JS } from '../../helpers/paths.js';`), ['names MAIN_JS (the CLI bundle)']);
  assert.deepEqual(
    violations(
      `import { runTool } from '../../helpers/system-tool.js';\nimport { x } from '../../../src/cli/index.js';`,
    ),
    [],
  );
});

test('no unit test, nor a helper it imports, starts a process of the project or the CLI', () => {
  const offenders: string[] = [];
  for (const file of tsFiles(UNIT_DIR)) {
    if (file === join(UNIT_DIR, 'unit-tier.test.ts')) continue;
    for (const why of violations(readFileSync(file, 'utf8'))) offenders.push(`${relative(REPO_ROOT, file)}: ${why}`);
    for (const helper of importedHelpers(file)) {
      for (const why of violations(readFileSync(helper, 'utf8'), true))
        offenders.push(`${relative(REPO_ROOT, file)} → ${relative(REPO_ROOT, helper)}: ${why}`);
    }
  }
  assert.deepEqual(offenders, [], 'move these to test/integration, or call the code in-process');
});

test('a system tool run for a unit test may not be node', () => {
  assert.throws(
    () => runTool(process.execPath, ['-e', '']),
    /is node; a test that runs the project in a process belongs in test\/integration/,
  );
  assert.throws(() => runTool('node', ['-e', '']), /is node/);
  assert.equal(runTool('printf', ['%s', 'ok']).toString(), 'ok');
});
