/** readFileChunks (src/io/file-chunks.ts): exact bytes in reused buffers, and a missing file named. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFileChunks } from '../../../src/io/file-chunks.js';

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
        for await (const chunk of readFileChunks(file, { start, chunkSize: 4096 })) {
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

test('readFileChunks with keep 2: a chunk is intact until the one after the next is asked for, from three reused buffers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chunks-'));
  try {
    const data = randomBytes(8 * 4096 + 7);
    const file = join(dir, 'f');
    await writeFile(file, data);
    const memory = new Set<ArrayBufferLike>();
    let previous: { chunk: Buffer; copy: Buffer } | undefined;
    const parts: Buffer[] = [];
    for await (const chunk of readFileChunks(file, { chunkSize: 4096, keep: 2 })) {
      if (previous)
        assert.deepEqual(previous.chunk, previous.copy, 'the previous chunk changed once the next was read');
      previous = { chunk, copy: Buffer.from(chunk) };
      parts.push(previous.copy);
      memory.add(chunk.buffer);
    }
    assert.deepEqual(Buffer.concat(parts), data);
    assert.equal(memory.size, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('readFileChunks: a missing file is an error naming it', async () => {
  await assert.rejects(async () => {
    for await (const _ of readFileChunks('/nonexistent/nestos-image.raw')) assert.fail('no chunk expected');
  }, /ENOENT.*nestos-image\.raw/);
});
