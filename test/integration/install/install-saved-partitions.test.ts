/**
 * Saved partitions on a successful install: byte-identical, renumbered as upstream, and the
 * table resized to the disk (512 and 4096-byte sectors).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { runCli } from '../../helpers/cli.js';
import { MIB, readGptOfFile, sha256 } from './fixture.js';
import { useSignedImages, withLoop } from './signed-images.js';

const images = useSignedImages('inst-saved-', [512, 4096]);

for (const ss of [512, 4096] as const) {
  test(`saved partitions survive byte-identical and are renumbered (${ss})`, async () => {
    const file = join(images().dir, `saved-${ss}.img`);
    await run('truncate', ['-s', '96M', file]);
    const mibLba = MIB / ss;
    const data2 = randomBytes(4 * MIB);
    const data7 = randomBytes(4 * MIB);
    await withLoop(file, ss, async (dev) => {
      await run('sgdisk', [
        `-n1:0:+4M`,
        '-c1:old',
        `-n2:${48 * mibLba}:+4M`,
        '-c2:data',
        `-n7:${64 * mibLba}:+4M`,
        '-c7:keep7',
        dev,
      ]);
    });
    const h = await open(file, 'r+');
    await h.write(data2, 0, data2.length, 48 * MIB);
    await h.write(data7, 0, data7.length, 64 * MIB);
    await h.close();
    await withLoop(file, ss, async (dev) => {
      const r = await runCli([
        'install',
        dev,
        '-f',
        `${images().image(ss).raw}.xz`,
        '--trusted-key',
        images().pub,
        '--save-partlabel',
        'data',
        '--save-partindex',
        '6-',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Saving partition 2 \("data"\) to new partition 5/);
      assert.match(r.stderr, /Saving partition 7 \("keep7"\) to new partition 7/);
    });
    const bytes = await readFile(file);
    assert.equal(sha256(bytes.subarray(48 * MIB, 52 * MIB)), sha256(data2));
    assert.equal(sha256(bytes.subarray(64 * MIB, 68 * MIB)), sha256(data7));
    const gpt = await readGptOfFile(file, ss);
    assert.deepEqual(
      gpt.entries.map((e) => [e.index, e.name]),
      [
        [1, 'BIOS-BOOT'],
        [2, 'EFI-SYSTEM'],
        [3, 'boot'],
        [4, 'root'],
        [5, 'data'],
        [7, 'keep7'],
      ],
    );
    assert.equal(gpt.lastUsableLba, bytes.length / ss - 2 - 16384 / ss, 'table resized to the disk');
    if (ss === 512) assert.match((await run('sgdisk', ['-v', file])).stdout, /No problems found/);
  });
}
