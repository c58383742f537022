/** Length headers: a 206 is placed only by a Content-Range that starts where it was asked to. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyExtent, HttpRangeError, parseContentLength } from '../../../src/http/content-range.js';

test('Content-Length: plain integers only', () => {
  assert.equal(parseContentLength('1234'), 1234);
  assert.equal(parseContentLength(' 0 '), 0);
  assert.equal(parseContentLength('-5'), undefined);
  assert.equal(parseContentLength('12abc'), undefined);
  assert.equal(parseContentLength('99999999999999999999'), undefined);
  assert.equal(parseContentLength(undefined), undefined);
});

test('a 200 keeps its Content-Length and has no range', () => {
  assert.deepEqual(bodyExtent(200, { contentLength: '10' }, 500), { contentLength: 10 });
});

test('a 206 starting where asked gives its start, length and total', () => {
  assert.deepEqual(bodyExtent(206, { contentLength: '4000', contentRange: 'bytes 1000-4999/5000' }, 1000), {
    contentLength: 4000,
    rangeStart: 1000,
    totalLength: 5000,
  });
  assert.deepEqual(bodyExtent(206, { contentRange: 'bytes 1000-1999/*' }, 1000), {
    contentLength: 1000,
    rangeStart: 1000,
    totalLength: undefined,
  });
});

test('a 206 without Content-Range is refused, asked for a range or not', () => {
  for (const asked of [1000, undefined]) {
    assert.throws(
      () => bodyExtent(206, { contentLength: '5000' }, asked),
      (err: unknown) => {
        assert.ok(err instanceof HttpRangeError);
        assert.match(
          err.message,
          /^the server answered 206 Partial Content without a Content-Range header \(asked for bytes from \d+\)$/,
        );
        return true;
      },
    );
  }
});

test('a 206 starting elsewhere than asked is refused', () => {
  assert.throws(
    () => bodyExtent(206, { contentRange: 'bytes 0-4999/5000' }, 1000),
    /^HttpRangeError: asked for bytes from 1000, the server sent bytes from 0$/,
  );
  assert.throws(
    () => bodyExtent(206, { contentRange: 'bytes 10-4999/5000' }, undefined),
    /asked for bytes from 0, the server sent bytes from 10/,
  );
});

test('impossible ranges are refused before any byte is used', () => {
  const bad = (range: string, len?: string) => () => bodyExtent(206, { contentRange: range, contentLength: len }, 1000);
  assert.throws(bad('bytes 1000-999/5000'), /last byte comes before its first/);
  assert.throws(bad('bytes 1000-5000/5000'), /ends past the total length/);
  assert.throws(bad('bytes 1000-4999/5000', '12'), /Content-Length is 12/);
  assert.throws(bad('items 1000-4999/5000'), /not bytes FIRST-LAST\/TOTAL/);
  assert.throws(bad('bytes 1000-99999999999999999999/*'), /not bytes FIRST-LAST\/TOTAL/);
});
