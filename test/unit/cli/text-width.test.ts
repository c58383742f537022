import { test } from 'node:test';
import assert from 'node:assert/strict';
import textWidth from '../../../src/cli/text-width.js';

test('ASCII help text is as wide as it is long', () => {
  assert.equal(textWidth('  -o, --output  Write ISO to a new output file  [string]'), 56);
  assert.equal(textWidth(''), 0);
  assert.equal(textWidth(undefined), 0);
});

test('colour escapes take no columns', () => {
  assert.equal(textWidth('\u001B[1mbold\u001B[22m and \u001B]8;;https://x\u0007link\u001B]8;;\u0007'), 13);
});

test('other text counts one column per code point, combining marks and controls none', () => {
  assert.equal(textWidth('café'), 4);
  assert.equal(textWidth('cafe\u0301'), 4);
  assert.equal(textWidth('a\u0000b'), 2);
  assert.equal(textWidth('\u{1F600}'), 1);
});
