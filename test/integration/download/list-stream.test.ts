/** `list-stream` through the real CLI, over http:// and file://. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { startServer, type TestServer } from '../../helpers/http-server.js';
import { REPO_ROOT } from '../../helpers/paths.js';

let s: TestServer;
const feed = readFileSync(join(REPO_ROOT, 'streams/fcos-stable-example.json'));
const expected = readFileSync(join(REPO_ROOT, 'test/unit/stream/fcos-stable-example.table.txt'), 'utf8');
before(async () => {
  s = await startServer();
  s.route('/streams/stable.json', { body: feed });
  s.route('/flaky/stable.json', { body: feed, failFirst: 1 });
  s.route('/ctl/stable.json', {
    body: JSON.stringify({
      architectures: {
        'x86_64\x1b]0;owned\x07': {
          artifacts: { 'metal\x1b[2J': { formats: { 'raw.xz\r': { disk: { location: 'https://h/a' } } } } },
        },
      },
    }),
  });
  s.route('/bad/stable.json', {
    body: '{"architectures": {"x86_64": {"artifacts": {"metal": {"formats": {"iso": {"disk": {}}}}}}}}',
  });
});
after(async () => {
  await s.close();
});

test('prints the table of a stream served over http, on stdout only', async () => {
  const r = await runCli(['list-stream', '--stream-base-url', `${s.url}streams/`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), expected);
  assert.equal(r.stderr, '');
});

test('reads a file:// base (stream name joined as a relative URL)', async () => {
  const base = pathToFileURL(join(REPO_ROOT, 'streams')).toString() + '/';
  const r = await runCli(['list-stream', '--stream-base-url', base, '-s', 'fcos-stable-example']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), expected);
});

test('never retries', async () => {
  const r = await runCli(['list-stream', '--stream-base-url', `${s.url}flaky/`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /stream metadata fetch from http:.*\/flaky\/stable\.json failed: 500/);
  assert.equal(s.count('/flaky/stable.json'), 1);
});

test('a malformed feed names the JSON path', async () => {
  const r = await runCli(['list-stream', '--stream-base-url', `${s.url}bad/`]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /invalid stream metadata from .*: \$\.architectures\.x86_64\.artifacts\.metal\.formats\.iso\.disk\.location: /,
  );
});

test('control characters in the feed reach the terminal escaped, never raw', async () => {
  const r = await runCli(['list-stream', '--stream-base-url', `${s.url}ctl/`]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  assert.doesNotMatch(out, /[\x00-\x09\x0b-\x1f\x7f]/);
  assert.equal(out.split('\n')[1], 'x86_64\\u{1b}]0;owned\\u{7}  metal\\u{1b}[2J  raw.xz\\u{d}');
});

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

test("--json: the table's rows as one result record on stderr, stdout empty", async () => {
  const r = await runCli(['list-stream', '--stream-base-url', `${s.url}streams/`, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, 0);
  const records = jsonLines(r.stderr);
  assert.equal(records.length, 1, r.stderr);
  assert.equal(records[0]!.type, 'result');
  const rows = (records[0]!.rows as Array<Record<string, string>>).map((row) => [
    row.architecture,
    row.platform,
    row.format,
  ]);
  // The same rows, in the same order, as the text table (its header line dropped).
  const tableRows = expected
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/ {2,}/).map((c) => c.trim()));
  assert.deepEqual(rows, tableRows);
});

test('--json: a failure is one error record with its cause chain, exit 1', async () => {
  const r = await runCli(['list-stream', '--stream-base-url', `${s.url}missing/`, '--json']);
  assert.equal(r.code, 1, r.stderr);
  const records = jsonLines(r.stderr);
  assert.equal(records.length, 1, r.stderr);
  assert.equal(records[0]!.type, 'error');
  assert.equal(records[0]!.kind, 'runtime');
  assert.match(JSON.stringify(records[0]), /404/);
});
