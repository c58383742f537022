/** Feed text is escaped before it reaches a terminal; list-stream rows too. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStreamMetadata } from '../../../src/stream/schema.js';
import { formatStreamTable, streamRows } from '../../../src/stream/table.js';
import { escapeControl, hasControl } from '../../../src/stream/terminal-text.js';

test('control, format and separator characters become \\u{..} escapes; the rest is kept', () => {
  assert.equal(escapeControl('a\x1b[31mb'), 'a\\u{1b}[31mb');
  assert.equal(escapeControl('x\ry\nz\t\x7f\x9b'), 'x\\u{d}y\\u{a}z\\u{9}\\u{7f}\\u{9b}');
  assert.equal(escapeControl('abc\u202Eevil'), 'abc\\u{202e}evil');
  assert.equal(escapeControl('raw.xz ä 東'), 'raw.xz ä 東');
  assert.equal(hasControl('plain-name.raw.xz'), false);
  assert.equal(hasControl('a\x00b'), true);
});

test('list-stream rows escape control characters from the feed', () => {
  const meta = parseStreamMetadata(
    {
      architectures: {
        'x86_64\x1b[2J': {
          artifacts: { 'metal\r': { formats: { 'raw.xz\x07': { disk: { location: 'https://h/a' } } } } },
        },
      },
    },
    'test',
  );
  const table = formatStreamTable(streamRows(meta));
  assert.doesNotMatch(table, /[\x00-\x09\x0b-\x1f\x7f]/);
  assert.equal(table.split('\n')[1], 'x86_64\\u{1b}[2J  metal\\u{d}  raw.xz\\u{7}');
});
