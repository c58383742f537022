import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseStreamMetadata } from '../../../src/stream/schema.js';
import { formatStreamTable, streamRows } from '../../../src/stream/table.js';
import { REPO_ROOT } from '../../helpers/paths.js';

test('list-stream table of the FCOS-shaped example matches the rows expected by the reference rules', () => {
  const json = JSON.parse(readFileSync(join(REPO_ROOT, 'streams/fcos-stable-example.json'), 'utf8'));
  const expected = readFileSync(join(REPO_ROOT, 'test/unit/stream/fcos-stable-example.table.txt'), 'utf8');
  assert.equal(formatStreamTable(streamRows(parseStreamMetadata(json, 'example'))), expected);
});

test('rows sort byte-wise by architecture, platform, format and pad to the header width', () => {
  const meta = parseStreamMetadata(
    {
      architectures: {
        x86_64: {
          artifacts: { metal: { formats: { pxe: {}, 'raw.xz': {}, '4k.raw.xz': {} } }, Zcloud: { formats: { b: {} } } },
        },
        a: { artifacts: { p: { formats: { f: {} } } } },
      },
    },
    't',
  );
  assert.equal(
    formatStreamTable(streamRows(meta)),
    [
      'Architecture  Platform  Format',
      'a             p         f',
      'x86_64        Zcloud    b',
      'x86_64        metal     4k.raw.xz',
      'x86_64        metal     pxe',
      'x86_64        metal     raw.xz',
      '',
    ].join('\n'),
  );
});

test('an empty stream prints only the header', () => {
  assert.equal(
    formatStreamTable(streamRows(parseStreamMetadata({ architectures: {} }, 't'))),
    'Architecture  Platform  Format\n',
  );
});

test('long cells widen their column', () => {
  const text = formatStreamTable([['a-very-long-arch', 'platform-name-x', 'f']]);
  assert.equal(text, 'Architecture      Platform         Format\na-very-long-arch  platform-name-x  f\n');
});
