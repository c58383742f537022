/**
 * The decoder thread (xz and zstd decode on a worker into a shared ring): what the reader gets
 * (whole 1 MiB slots, which the install writer writes without copying), byte-exact output with
 * a thread started ahead of need, and teardown: a thread that is never used, or a decode
 * abandoned while the thread is blocked on a full ring, never keeps the process alive.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { promisify } from 'node:util';
import * as lzma from 'node-liblzma';
import { compress as zstdCompress } from 'zstd-napi';
import { AutoDecoder } from '../../../src/io/auto-decoder.js';
import type { Emit } from '../../../src/io/codec.js';
import { warmDecoderThread } from '../../../src/io/decoder-thread.js';

const MIB = 1024 * 1024;
// Dense and sparse stretches, so slots fill from many small input chunks and from a few.
const data = Buffer.concat([randomBytes(2 * MIB + 12345), Buffer.alloc(6 * MIB), randomBytes(777_777)]);
const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const encodings: Record<string, Buffer> = {
  xz: lzma.xzSync(data, { check: lzma.check.CRC32 }),
  zstd: zstdCompress(data, { checksumFlag: true }),
};

/** Decodes in `chunk`-byte input pieces; returns the output and the size of every emitted piece. */
async function decodeRecording(input: Buffer, chunk: number): Promise<{ out: Buffer; sizes: number[] }> {
  const parts: Buffer[] = [];
  const sizes: number[] = [];
  const emit: Emit = (buf) => {
    parts.push(Buffer.from(buf));
    sizes.push(buf.length);
    return undefined;
  };
  const decoder = new AutoDecoder();
  for (let pos = 0; pos < input.length; pos += chunk) await decoder.write(input.subarray(pos, pos + chunk), emit);
  await decoder.finish(emit);
  return { out: Buffer.concat(parts), sizes };
}

for (const [kind, encoded] of Object.entries(encodings)) {
  test(`${kind}: the reader gets whole 1 MiB slots, only the last one shorter`, async () => {
    for (const chunk of [4093, 65_536, MIB]) {
      const { out, sizes } = await decodeRecording(encoded, chunk);
      assert.equal(digest(out), digest(data), `chunk ${chunk}`);
      assert.deepEqual(sizes.slice(0, -1).filter((n) => n !== MIB), [], `chunk ${chunk}: sizes ${sizes.join(',')}`);
      assert.equal(sizes.at(-1), data.length % MIB, `chunk ${chunk}: last size`);
    }
  });

  test(`${kind}: a thread started ahead of need decodes the same bytes`, async () => {
    warmDecoderThread();
    const { out } = await decodeRecording(encoded, 65_536);
    assert.equal(digest(out), digest(data));
  });
}

/**
 * Runs an ES module script in a child node with the decoder modules as AUTO and THREAD; with
 * `addressSpaceKb`, under that `ulimit -v`.
 */
async function runChild(body: string, addressSpaceKb?: number): Promise<string> {
  const auto = new URL('../../../src/io/auto-decoder.js', import.meta.url).href;
  const thread = new URL('../../../src/io/decoder-thread.js', import.meta.url).href;
  const script = `const AUTO = await import(${JSON.stringify(auto)});\nconst THREAD = await import(${JSON.stringify(thread)});\n${body}`;
  const node = [process.execPath, '--input-type=module', '-e', script];
  const [file, args] = addressSpaceKb ? ['sh', ['-c', `ulimit -v ${addressSpaceKb} && exec "$0" "$@"`, ...node]] : [node[0]!, node.slice(1)];
  const { stdout } = await promisify(execFile)(file, args, { cwd: new URL('../../../', import.meta.url).pathname, timeout: 30_000 });
  return stdout;
}

test('a thread started ahead of need and never used does not keep the process alive', async () => {
  const stdout = await runChild(`
    THREAD.warmDecoderThread();
    await new Promise((resolve) => setTimeout(resolve, 300));
    console.log('done');
  `);
  assert.equal(stdout.trim(), 'done');
});

for (const kind of ['xz', 'zstd']) {
  test(`${kind}: a decode abandoned while its thread waits on a full ring does not keep the process alive`, async () => {
    // The reader never finishes with the first slot: the thread fills the ring and blocks.
    const stdout = await runChild(`
      import * as lzma from 'node-liblzma';
      import { compress } from 'zstd-napi';
      const zeros = Buffer.alloc(64 * 1024 * 1024, 1);
      const input = ${JSON.stringify(kind)} === 'xz' ? lzma.xzSync(zeros, { preset: 0 }) : compress(zeros);
      const decoder = new AUTO.AutoDecoder();
      let first;
      const reading = new Promise((resolve) => (first = resolve));
      const writing = decoder.write(input, () => { first(); return new Promise(() => {}); });
      writing.catch(() => undefined);
      await reading;
      await new Promise((resolve) => setTimeout(resolve, 300));
      decoder.close();
      console.log('closed');
    `);
    assert.equal(stdout.trim(), 'closed');
  });
}

test('with little address space (ulimit -v), the ring is ordinary memory and xz still decodes exactly', async () => {
  // Every WebAssembly.Memory reserves several GiB of address space; 3 GB leaves none for it.
  const stdout = await runChild(
    `
    import { createHash } from 'node:crypto';
    import * as lzma from 'node-liblzma';
    const data = Buffer.concat([Buffer.alloc(3 * 1024 * 1024, 7), Buffer.from('end')]);
    const parts = [];
    const decoder = new AUTO.AutoDecoder();
    const emit = (b) => void parts.push(Buffer.from(b));
    await decoder.write(lzma.xzSync(data, { preset: 0 }), emit);
    await decoder.finish(emit);
    const digest = (b) => createHash('sha256').update(b).digest('hex');
    console.log(digest(Buffer.concat(parts)) === digest(data) ? 'exact' : 'differs');
  `,
    3_000_000,
  );
  assert.equal(stdout.trim(), 'exact');
});
