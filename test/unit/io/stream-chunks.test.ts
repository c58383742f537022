/** chunksOf (src/io/stream-chunks.ts): a stream's chunks as written, its errors, an early close. */
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { chunksOf } from '../../../src/io/stream-chunks.js';

test('chunksOf yields each chunk as written (never joined), then ends', async () => {
  const stream = new PassThrough();
  const written = [Buffer.from('one'), Buffer.from('two'), Buffer.from('three')];
  for (const c of written) stream.write(c);
  stream.end();
  const got: Buffer[] = [];
  for await (const c of chunksOf(stream)) got.push(c);
  assert.deepEqual(got.map(String), ['one', 'two', 'three']);
  // Readable's own iterator would have joined the buffered chunks into one.
  const joined: Buffer[] = [];
  const again = new PassThrough();
  for (const c of written) again.write(c);
  again.end();
  for await (const c of again) joined.push(c as Buffer);
  assert.equal(joined.length, 1);
});

test('chunksOf: a stream error after some chunks is thrown; breaking out destroys the stream', async () => {
  const failing = new Readable({ read() {} });
  failing.push(Buffer.from('a'));
  setImmediate(() => failing.destroy(new Error('connection reset')));
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const c of chunksOf(failing)) seen.push(String(c));
  }, /connection reset/);
  assert.deepEqual(seen, ['a']);

  const endless = new Readable({
    read() {
      this.push(Buffer.alloc(16));
    },
  });
  for await (const _ of chunksOf(endless)) break;
  assert.equal(endless.destroyed, true);
});

test('chunksOf: a stream closed before its end is an error', async () => {
  const s = new Readable({ read() {} });
  s.push(Buffer.from('x'));
  setImmediate(() => s.destroy());
  await assert.rejects(async () => {
    for await (const _ of chunksOf(s)) {
      /* drain */
    }
  }, /closed before its end/);
});
