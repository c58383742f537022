/** One size parser for every size option: binary units, and clear usage errors for the rest. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSize } from '../../../src/formats/size.js';

test('sizes parse with binary suffixes', () => {
  assert.equal(parseSize('1536M', 'x'), 1536 * 1024 * 1024);
  assert.equal(parseSize('2G', 'x'), 2 * 1024 ** 3);
  assert.equal(parseSize('3GiB', 'x'), 3 * 1024 ** 3);
  assert.equal(parseSize('1kb', 'x'), 1024);
  assert.equal(parseSize('4096', 'x'), 4096);
  assert.equal(parseSize('4096B', 'x'), 4096);
});

test('text that is not a size, or too large a size, is a usage error naming the option', () => {
  for (const text of ['1.5G', 'lots', '5iB', '99999999999T']) {
    assert.throws(
      () => parseSize(text, 'dest-size <SIZE>'),
      {
        name: 'UsageError',
        message: `invalid value '${text}' for '--dest-size <SIZE>': expected a size like 8G, 512M or a number of bytes`,
      },
      text,
    );
  }
});
