import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { readFileChunks } from '../../../src/io/file-chunks.js';
import { chunksOf } from '../../../src/io/stream-chunks.js';

test('readFileChunks: exact bytes at every size around the chunk boundary, from an offset, in two reused buffers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chunks-'));
  try {
    for (const size of [0, 1, 4095, 4096, 4097, 3 * 4096, 3 * 4096 + 5]) {
      const data = randomBytes(size);
      const file = join(dir, `f${size}`);
      await writeFile(file, data);
      for (const start of [0, 1, 4096]) {
        const parts: Buffer[] = [];
        const memory = new Set<ArrayBufferLike>();
        for await (const chunk of readFileChunks(file, start, 4096)) {
          assert.ok(chunk.length > 0 && chunk.length <= 4096);
          parts.push(Buffer.from(chunk)); // lent: copy before asking for the next
          memory.add(chunk.buffer);
        }
        assert.deepEqual(Buffer.concat(parts), data.subarray(Math.min(start, size)), `size ${size} from ${start}`);
        assert.ok(memory.size <= 2, `chunks came from ${memory.size} buffers`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('readFileChunks: a missing file is an error naming it', async () => {
  await assert.rejects(async () => {
    for await (const _ of readFileChunks('/nonexistent/nestos-image.raw')) assert.fail('no chunk expected');
  }, /ENOENT.*nestos-image\.raw/);
});

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

  const endless = new Readable({ read() { this.push(Buffer.alloc(16)); } });
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
