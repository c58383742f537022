/**
 * One rule for outputs: `-o EXISTING` is refused before any work, with upstream's `File exists`
 * as the cause and what to do, and the existing file untouched; `iso extract pxe` the same;
 * `pxe ignition wrap -o` overwrites, as upstream does. A terminal on stdin where a config is
 * expected is refused with a hint instead of waiting without a prompt.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { buildFixtureIso } from '../../helpers/iso-fixture.js';
import { MAIN_JS } from '../../helpers/paths.js';

const fixture = buildFixtureIso();
const CONFIG = JSON.stringify({ ignition: { version: '3.3.0' } });
const cfgFile = join(fixture.dir, 'outputs-config.ign');
writeFileSync(cfgFile, CONFIG);

test('-o EXISTING is refused with File exists and a fix, and the file is left as it was', async () => {
  const out = join(fixture.dir, 'outputs-existing.iso');
  writeFileSync(out, 'precious');
  for (const args of [
    ['iso', 'ignition', 'embed', '-i', cfgFile, '-o', out, fixture.iso],
    ['iso', 'kargs', 'modify', '-a', 'quiet', '-o', out, fixture.iso],
    ['iso', 'reset', '-o', out, fixture.iso],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^Error: ${out.replace(/[.]/g, '\\.')} exists; -o never overwrites: remove it or choose another output path\\n\\nCaused by:\\n    0: File exists \\(os error 17\\)$`,
        'm',
      ),
    );
    assert.equal(readFileSync(out, 'utf8'), 'precious');
  }
});

test('pxe ignition wrap -o overwrites an existing file, as upstream', async () => {
  const out = join(fixture.dir, 'outputs-wrap.img');
  writeFileSync(out, 'old');
  const r = await runCli(['pxe', 'ignition', 'wrap', '-i', cfgFile, '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  const unwrapped = await runCli(['pxe', 'ignition', 'unwrap', out]);
  assert.equal(unwrapped.stdout.toString(), CONFIG);
});

test(
  'a terminal on stdin where the Ignition config is expected is refused with a hint',
  { timeout: 120_000 },
  async () => {
    const iso = join(fixture.dir, 'outputs-tty.iso');
    copyFileSync(fixture.iso, iso);
    const before = readFileSync(iso);
    const cmd = `exec '${process.execPath}' '${MAIN_JS}' iso ignition embed '${iso}'`;
    const { code, screen } = await new Promise<{ code: number | null; screen: string }>((resolve) => {
      const child = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
      // Nothing is ever typed: without the refusal the command would wait here until killed.
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, screen: out });
      });
    });
    assert.equal(code, 1, screen);
    assert.match(screen, /Error: no Ignition config given: name the file with -i FILE, or pipe it on stdin/);
    assert.deepEqual(readFileSync(iso), before);
  },
);
