import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReporter, formatBytes, progressText, wantsJson } from '../../src/report.js';

function plainReporter(now: () => number) {
  const lines: string[] = [];
  const stream = { write: (l: string) => lines.push(l), isTTY: false } as unknown as NodeJS.WriteStream;
  return { lines, reporter: createReporter({ tty: false, stream, now }) };
}

test('progress text uses binary units with one decimal, as upstream', () => {
  assert.equal(formatBytes(786_336_153), '749.9 MiB');
  assert.equal(progressText({ label: 'disk', bytes: 1024 * 1024, total: 2 * 1024 * 1024 }), 'Read disk 1.0 MiB/2.0 MiB (50%)');
  assert.equal(progressText({ label: 'disk', bytes: 512 }), 'Read disk 512 B');
});

test('plain progress prints at most once a second, and the final state once', () => {
  let t = 0;
  const { lines, reporter } = plainReporter(() => t);
  reporter.progress({ label: 'image', bytes: 0, total: 100 });
  t = 500;
  reporter.progress({ label: 'image', bytes: 40, total: 100 });
  t = 1200;
  reporter.progress({ label: 'image', bytes: 60, total: 100 });
  reporter.progress({ label: 'image', bytes: 100, total: 100 });
  reporter.progressDone({ label: 'image', bytes: 100, total: 100 });
  assert.deepEqual(lines, [
    'Read image 0 B/100 B (0%)\n',
    'Read image 60 B/100 B (60%)\n',
    'Read image 100 B/100 B (100%)\n',
  ]);
});

test('--json is read from the command line up to --', () => {
  assert.equal(wantsJson(['install', '/dev/sdb', '--json']), true);
  assert.equal(wantsJson(['install', '--json=true']), true);
  assert.equal(wantsJson(['install', '--json', '--no-json']), false);
  assert.equal(wantsJson(['install', '--', '--json']), false);
  assert.equal(wantsJson(['install', '/dev/sdb']), false);
});
