import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReporter, formatBytes, PLAIN_INTERVAL_MS, progressText, wantsJson } from '../../src/report.js';
import { barText, RateMeter } from '../../src/progress-line.js';

function plainReporter(now: () => number) {
  const lines: string[] = [];
  const stream = { write: (l: string) => lines.push(l), isTTY: false } as unknown as NodeJS.WriteStream;
  return { lines, reporter: createReporter({ tty: false, stream, now }) };
}

test('progress text uses binary units with one decimal, as upstream', () => {
  assert.equal(formatBytes(786_336_153), '749.9 MiB');
  assert.equal(
    progressText({ label: 'disk', bytes: 1024 * 1024, total: 2 * 1024 * 1024 }),
    'Read disk 1.0 MiB/2.0 MiB (50%)',
  );
  assert.equal(progressText({ label: 'disk', bytes: 512 }), 'Read disk 512 B');
});

test('plain progress prints at most once per interval, and the final state once', () => {
  let t = 0;
  const { lines, reporter } = plainReporter(() => t);
  reporter.progress({ label: 'image', bytes: 0, total: 100 });
  t = PLAIN_INTERVAL_MS - 1;
  reporter.progress({ label: 'image', bytes: 40, total: 100 });
  t = PLAIN_INTERVAL_MS + 1;
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

test('the rate counts only bytes transferred after the resumed ones', () => {
  const meter = new RateMeter();
  const MiB = 1024 * 1024;
  // 100 MiB were on disk and are read back at once; then 5 MiB arrive per second.
  meter.sample({ label: 'disk', bytes: 0, total: 200 * MiB, resumed: 100 * MiB }, 0);
  meter.sample({ label: 'disk', bytes: 100 * MiB, total: 200 * MiB, resumed: 100 * MiB }, 10);
  const rate = meter.sample({ label: 'disk', bytes: 110 * MiB, total: 200 * MiB, resumed: 100 * MiB }, 2010);
  assert.equal(rate, 5 * MiB);
  assert.equal(
    barText({ label: 'disk', bytes: 110 * MiB, total: 200 * MiB }, rate, 100),
    'Read disk [================>             ] 110.0 MiB/200.0 MiB (55%)  5.0 MiB/s  ETA 0:18',
  );
});

test('the bar shrinks to fit the terminal, and is left out when there is no room', () => {
  const event = { label: 'disk', bytes: 512 * 1024, total: 1024 * 1024 };
  for (const columns of [70, 80, 120]) {
    const text = barText(event, 1024, columns);
    assert.match(text, /\[=+>? *\]/);
    assert.ok(text.length <= columns - 3, `${columns}: ${text}`);
  }
  assert.equal(barText(event, undefined, 40), 'Read disk 512.0 KiB/1.0 MiB (50%)');
});

test('--json: the verified signature is its own record and part of the result', () => {
  const lines: string[] = [];
  const stream = { write: (l: string) => lines.push(l), isTTY: false } as unknown as NodeJS.WriteStream;
  const reporter = createReporter({ json: true, stream });
  reporter.signature({ label: 'disk', fingerprint: 'ABCD', userId: 'Test <t@example>' });
  reporter.result({ device: '/dev/vdb' });
  assert.deepEqual(
    lines.map((l) => JSON.parse(l)),
    [
      { type: 'signature', label: 'disk', fingerprint: 'ABCD', userId: 'Test <t@example>' },
      { type: 'result', signature: { fingerprint: 'ABCD', userId: 'Test <t@example>' }, device: '/dev/vdb' },
    ],
  );
});
