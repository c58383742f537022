// The ostree mode refuses, before it attaches, creates or writes anything, what would otherwise
// fail halfway and leave a wiped disk: a commit no trusted key signed, a repo that does not
// answer, a ref it does not have, a file target that holds a filesystem or text, a target too
// small for the layout. Each target's bytes are hashed before and after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ostreeInstall } from '../../../src/ostree/install.js';
import { createMemoryReporter } from '../../../src/report.js';
import { runTool } from '../../helpers/system-tool.js';
import { loopsOf } from './inspect.js';
import { sampleOptions } from './sample.js';
import { makeTinyRepo } from './tiny-repo.js';

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** A 1 GiB sparse file with a marker at 100 MiB: an image a failed run must leave as it was. */
async function markedFile(path: string): Promise<void> {
  await writeFile(path, '');
  const fh = await open(path, 'r+');
  try {
    await fh.truncate(1024 * 1024 * 1024);
    await fh.write(Buffer.from('precious data that must survive'), 0, undefined, 100 * 1024 * 1024);
  } finally {
    await fh.close();
  }
}

test('ostree mode: a bad source is refused before the disk is touched', { timeout: 120_000 }, async (t) => {
  const signed = await makeTinyRepo({ signed: true });
  t.after(() => signed.cleanup());
  await signed.commit('1.0');
  const other = await makeTinyRepo({ signed: true });
  t.after(() => other.cleanup());
  const dir = await mkdtemp(join(tmpdir(), 'ost-lost-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const img = join(dir, 'disk.img');
  await markedFile(img);
  const before = await sha256(img);

  const cases: [string, string, string, string, RegExp][] = [
    ['a commit signed by a key that is not trusted', signed.repo, signed.ref, other.publicKey!, /public key not found/],
    ['a repo that does not answer', 'http://127.0.0.1:9/repo', signed.ref, signed.publicKey!, /connect/i],
    ['a ref the repo does not have', signed.repo, 'no/such/ref', signed.publicKey!, /no\/such\/ref/],
  ];
  for (const [what, repo, ref, key, cause] of cases) {
    await assert.rejects(
      ostreeInstall({ ...sampleOptions(img, repo, ref, key), destSize: undefined }, createMemoryReporter()),
      (err: Error) => {
        assert.match(err.message, /could not be fetched and verified .*nothing was written/, what);
        assert.match(String((err.cause as Error).message), cause, what);
        return true;
      },
    );
    assert.equal(await sha256(img), before, `${what}: the target changed`);
    assert.equal(await loopsOf(img), '', `${what}: a loop device was left attached`);
  }
});

test(
  'ostree mode: a file holding a filesystem or text, or a too-small target, is refused before it is attached',
  { timeout: 120_000 },
  async (t) => {
    const tiny = await makeTinyRepo({ signed: false });
    t.after(() => tiny.cleanup());
    await tiny.commit('1.0');
    const dir = await mkdtemp(join(tmpdir(), 'ost-lost-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const options = (device: string, destSize?: number) => ({
      ...sampleOptions(device, tiny.repo, tiny.ref, ''),
      trustedKeys: [],
      insecure: true,
      destSize,
    });

    const ext4 = join(dir, 'ext4.img');
    await writeFile(ext4, '');
    runTool('truncate', ['-s', '1G', ext4]);
    runTool('mkfs.ext4', ['-q', '-F', ext4]);
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'my notes\n'.repeat(1000));
    for (const [path, found] of [
      [ext4, /contains an ext4 filesystem/],
      [text, /starts with text/],
    ] as const) {
      const before = await sha256(path);
      const reporter = createMemoryReporter();
      await assert.rejects(ostreeInstall(options(path), reporter), found);
      assert.equal(await sha256(path), before);
      assert.ok(!reporter.lines.some((l) => /Attached/.test(l)), `${path} was attached: ${reporter.lines.join('\n')}`);
      assert.equal(await loopsOf(path), '');
    }

    const small = join(dir, 'small.img');
    await assert.rejects(
      ostreeInstall(options(small, 100 * 1024 * 1024), createMemoryReporter()),
      /small\.img is too small \(100\.0 MiB\); this layout needs at least/,
    );
    assert.equal(existsSync(small), false);
  },
);
