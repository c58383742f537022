/**
 * The decoders in a node process of their own, where what is checked is the process: a zstd
 * decode to a slow reader stays within a memory bound (backpressure reaches the worker), a
 * thread that is never used or a decode abandoned while its thread waits on a full ring never
 * keeps the process alive, and with little address space (ulimit -v) xz still decodes exactly.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

/**
 * Runs an ES module script in a child node (its own RSS, its own exit) with the decoder modules
 * as DECOMPRESS (decode/decompress), AUTO (decode/auto-decoder) and THREAD (decode/decoder-thread); with
 * `addressSpaceKb`, under that `ulimit -v`.
 */
async function runChild(body: string, options: { timeout?: number; addressSpaceKb?: number } = {}): Promise<string> {
  const modules = { DECOMPRESS: 'decompress', AUTO: 'auto-decoder', THREAD: 'decoder-thread' };
  const imports = Object.entries(modules).map(
    ([name, file]) =>
      `const ${name} = await import(${JSON.stringify(new URL(`../../../src/decode/${file}.js`, import.meta.url).href)});`,
  );
  const script = `${imports.join('\n')}\n${body}`;
  const node = [process.execPath, '--input-type=module', '-e', script];
  const { addressSpaceKb, timeout = 30_000 } = options;
  const [file, args] = addressSpaceKb
    ? ['sh', ['-c', `ulimit -v ${addressSpaceKb} && exec "$0" "$@"`, ...node]]
    : [node[0]!, node.slice(1)];
  const { stdout } = await promisify(execFile)(file, args, {
    cwd: new URL('../../../', import.meta.url).pathname,
    timeout,
  });
  return stdout;
}

test('zstd decodes on a worker thread and still honours backpressure: 2 GiB of zeros to a slow reader stays under 150 MB RSS', async () => {
  // 2 GiB of zeros is a few KiB of zstd; without backpressure the decoder would buffer all of it.
  const script = `
    import { Readable, Writable } from 'node:stream';
    import { pipeline } from 'node:stream/promises';
    import { compress } from 'zstd-napi';
    const { createDecompressor } = DECOMPRESS;
    const frame = compress(Buffer.alloc(256 * 1024 * 1024));
    let total = 0;
    await pipeline(Readable.from(Array(8).fill(frame)), createDecompressor(), new Writable({
      highWaterMark: 1024 * 1024,
      write(c, _e, cb) { total += c.length; setImmediate(cb); },
    }));
    console.log(JSON.stringify({ total, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
  `;
  const stdout = await runChild(script, { timeout: 120_000 });
  const { total, maxRssMB } = JSON.parse(stdout) as { total: number; maxRssMB: number };
  assert.equal(total, 2 * 1024 * 1024 * 1024);
  assert.ok(maxRssMB < 150, `peak RSS ${maxRssMB} MB`);
});

test('zstd: a stream destroyed mid-decode does not keep the process alive (its worker ends)', async () => {
  // The reader never reads: the worker fills the ring and blocks; destroy must still let it go.
  const script = `
    import { Readable } from 'node:stream';
    import { compress } from 'zstd-napi';
    const { createDecompressor } = DECOMPRESS;
    const d = createDecompressor();
    Readable.from([compress(Buffer.alloc(64 * 1024 * 1024))]).pipe(d);
    await new Promise((resolve) => d.once('readable', resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
    d.destroy();
    console.log('destroyed');
  `;
  const stdout = await runChild(script);
  assert.equal(stdout.trim(), 'destroyed');
});

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
    { addressSpaceKb: 3_000_000 },
  );
  assert.equal(stdout.trim(), 'exact');
});
