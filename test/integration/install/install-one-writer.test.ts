/**
 * One writer per target: while an install to a regular file runs (its image paused halfway on
 * the server), a second install to the same file is refused naming the target, and the first
 * still writes exactly its image. A file target removed or replaced during the run fails it,
 * and a replacement is left byte-identical (never removed, never reset).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { type CliResult, runCli } from '../../helpers/cli.js';
import { sha256 } from './fixture.js';
import { type TrustWorld, createTrustWorld } from './trust-world.js';

let w: TrustWorld;
let xz: Buffer;
before(async () => {
  w = await createTrustWorld();
  xz = await readFile(w.files.xz);
});
after(async () => {
  await w?.dispose();
});

/**
 * Serves the xz image at a new path, pausing halfway until `release()`. `writing(target)`
 * resolves once the install is writing to `target` (blocks allocated: it opened and locked it).
 */
function pausedImage(name: string): { url: string; release: () => void; writing: (target: string) => Promise<void> } {
  let release!: () => void;
  const resume = new Promise<void>((r) => (release = r));
  const path = `/paused/${name}.raw.xz`;
  w.server.route(path, { body: xz, pauseAfter: Math.floor(xz.length / 2), resume });
  w.server.route(`${path}.sig`, { body: w.key.signBinary(xz) });
  const writing = async (target: string) => {
    const allocated = async () => ((await stat(target).catch(() => undefined))?.blocks ?? 0) > 0;
    for (let i = 0; i < 1200 && !(await allocated()); i++) await sleep(100);
    assert.ok(await allocated(), 'the first install is writing its image');
  };
  return { url: `${w.server.url}${path.slice(1)}`, release, writing };
}

const installUrl = (target: string, url: string, ...args: string[]) =>
  runCli(['install', target, '-u', url, '--trusted-key', w.pub, ...args], { env: w.env, timeoutMs: 300_000 });

async function assertHoldsImage(target: string): Promise<void> {
  const image = w.raw;
  assert.equal(
    sha256((await readFile(target)).subarray(0, image.length)),
    sha256(image),
    'the target holds exactly the image',
  );
}

for (const [name, destSize] of [
  ['an existing file', undefined],
  ['a file the first run creates', '64M'],
] as const) {
  test(`two installs to ${name}: the second is refused while the first runs, the first completes`, async () => {
    const target = join(w.dir, `shared-${destSize ?? 'existing'}.img`);
    await rm(target, { force: true });
    if (!destSize) await writeFile(target, '');
    const slow = pausedImage(`shared-${destSize ?? 'existing'}`);
    const first = installUrl(target, slow.url, ...(destSize ? ['--dest-size', destSize] : []));
    let second: CliResult;
    try {
      await slow.writing(target);
      second = await runCli(
        ['install', target, '-f', w.files.xz, '--trusted-key', w.pub, ...(destSize ? ['--dest-size', destSize] : [])],
        { env: w.env },
      );
    } finally {
      slow.release();
    }
    const r = await first;
    assert.equal(second.code, 1, second.stderr);
    assert.match(
      second.stderr,
      new RegExp(`Error: ${target} is locked by another process \\(another install to the same target\\?\\)`),
    );
    assert.equal(r.code, 0, r.stderr);
    await assertHoldsImage(target);
  });
}

test('a file target removed during the install fails the run', async () => {
  const target = join(w.dir, 'vanishing.img');
  await writeFile(target, '');
  const slow = pausedImage('vanishing');
  const run = installUrl(target, slow.url);
  try {
    await slow.writing(target);
    await rm(target);
  } finally {
    slow.release();
  }
  const r = await run;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`${target} was removed during the install; the image written is not at that path`));
  assert.doesNotMatch(r.stderr, /Install complete/);
  assert.equal(existsSync(target), false, 'nothing re-created at the path');
});

for (const [name, destSize] of [
  ['an existing file target', undefined],
  ['a file target the run created', '64M'],
] as const) {
  test(`${name} replaced during the install fails the run and the replacement is left as it is`, async () => {
    const target = join(w.dir, `replaced-${destSize ?? 'existing'}.img`);
    await rm(target, { force: true });
    if (!destSize) await writeFile(target, '');
    const slow = pausedImage(`replaced-${destSize ?? 'existing'}`);
    const run = installUrl(target, slow.url, ...(destSize ? ['--dest-size', destSize] : []));
    const replacement = Buffer.from("someone else's file\n");
    try {
      await slow.writing(target);
      await writeFile(`${target}.new`, replacement);
      await rename(`${target}.new`, target);
    } finally {
      slow.release();
    }
    const r = await run;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${target} was replaced during the install`));
    assert.deepEqual(await readFile(target), replacement, 'the replacement is byte-identical');
  });
}
