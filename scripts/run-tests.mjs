#!/usr/bin/env node
// Runs the compiled tests with node's test runner: `unit`, `property`, `integration` or `all`.
// Integration tests need the sample OS images; `all` and `integration` build them first (cached).
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const kind = process.argv[2] ?? 'all';
const root = new URL('..', import.meta.url).pathname;
const dirs = kind === 'all' ? ['unit', 'property', 'integration'] : [kind];

function collect(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return collect(path);
      return name.endsWith('.test.js') ? [path] : [];
    });
}

if (dirs.includes('integration') && existsSync(join(root, 'images/build.sh')) && !process.env.SKIP_IMAGE_BUILD) {
  const build = spawnSync('bash', [join(root, 'images/build.sh')], { stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('run-tests: building the sample OS images failed');
    process.exit(1);
  }
}

const files = dirs.flatMap((d) => collect(join(root, 'dist/test', d)));
if (process.env.TEST_FILTER) files.splice(0, files.length, ...files.filter((f) => f.includes(process.env.TEST_FILTER)));
if (files.length === 0) {
  console.error(`run-tests: no ${kind} tests found`);
  process.exit(1);
}
// The CLI under test is the bundle users run (bin/nestos-installer → dist/cli/main.js).
const bundle = join(root, 'dist/cli/main.js');
if (!existsSync(bundle)) {
  console.error('run-tests: dist/cli/main.js missing; run `npm run build`');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, NESTOS_INSTALLER_MAIN: process.env.NESTOS_INSTALLER_MAIN || bundle },
});
process.exit(result.status ?? 1);
