import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterMatches, parsePartitionFilters } from '../../../src/disk/partition-filter.js';
import type { GptEntry } from '../../../src/disk/gpt.js';

const entry = (index: number, name: string): GptEntry => ({
  index,
  name,
  typeGuid: Buffer.alloc(16, 1),
  uniqueGuid: Buffer.alloc(16, 2),
  firstLba: 0,
  lastLba: 0,
  attributes: 0n,
});

test('index ranges', () => {
  const f = parsePartitionFilters([], ['1', '3-4,6-', '-2']);
  const matched = (i: number) => f.some((x) => filterMatches(x, entry(i, '')));
  assert.deepEqual([1, 2, 3, 4, 5, 6, 9].map(matched), [true, true, true, true, false, true, true]);
});

test('index errors are upstream messages', () => {
  const cases: Array<[string, RegExp]> = [
    ['-', /both ends of partition index range '-' cannot be open/],
    ['0', /partition index cannot be zero/],
    ['0-2', /partition index cannot be zero/],
    ['a', /couldn't parse partition index 'a'/],
    ['--', /couldn't parse partition index range '--'/],
    ['-2-3', /couldn't parse partition index range '-2-3'/],
    ['1-x', /couldn't parse partition index range '1-x'/],
    ['5-2', /start of partition index range '5-2' cannot be greater than end/],
  ];
  for (const [text, re] of cases) assert.throws(() => parsePartitionFilters([], [text]), re, text);
});

test('label globs', () => {
  const f = parsePartitionFilters(['data*,x?z', '[ab]c', ''], []);
  const m = (name: string) => f.some((x) => filterMatches(x, entry(1, name)));
  assert.equal(m('data'), true);
  assert.equal(m('database'), true);
  assert.equal(m('xyz'), true);
  assert.equal(m('bc'), true);
  assert.equal(m('cc'), false);
  assert.equal(m(''), true);
  assert.equal(m('boot'), false);
  assert.throws(() => parsePartitionFilters(['***'], []), /couldn't parse label glob '\*\*\*'/);
  assert.throws(() => parsePartitionFilters(['a**'], []), /couldn't parse label glob/);
});
