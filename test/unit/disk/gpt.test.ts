import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import {
  type Gpt,
  detectSectorSize,
  newGpt,
  overwriteTableHead,
  parseGptFromBuffer,
  randomGuid,
  serializeGpt,
  validateGpt,
} from '../../../src/disk/gpt.js';

const LINUX = Buffer.from('af3dc60f838472478e793d69d8477de4', 'hex');

function sample(ss: number, sectors: number): Gpt {
  const gpt = newGpt(ss, sectors);
  const mib = (1024 * 1024) / ss;
  gpt.entries = [
    {
      index: 1,
      typeGuid: LINUX,
      uniqueGuid: randomGuid(),
      firstLba: mib,
      lastLba: 2 * mib - 1,
      attributes: 0n,
      name: 'boot',
    },
    {
      index: 3,
      typeGuid: LINUX,
      uniqueGuid: randomGuid(),
      firstLba: 2 * mib,
      lastLba: 3 * mib - 1,
      attributes: 4n,
      name: 'data',
    },
  ];
  return gpt;
}

for (const ss of [512, 4096]) {
  test(`GPT round trip with ${ss}-byte sectors`, () => {
    const sectors = (8 * 1024 * 1024) / ss;
    const gpt = sample(ss, sectors);
    validateGpt(gpt);
    const { head } = overwriteTableHead(gpt, sectors);
    assert.equal(gpt.firstUsableLba, ss === 512 ? 34 : 6);
    assert.equal(head[510], 0x55);
    assert.equal(head[450], 0xee);
    const back = parseGptFromBuffer(head, ss);
    assert.ok(back);
    assert.deepEqual(
      back.entries.map((e) => [e.index, e.name, e.firstLba, e.attributes]),
      [
        [1, 'boot', gpt.entries[0]!.firstLba, 0n],
        [3, 'data', gpt.entries[1]!.firstLba, 4n],
      ],
    );
    assert.equal(detectSectorSize(Buffer.concat([head, Buffer.alloc(8192)])), ss);
  });

  test(`sgdisk reads our ${ss}-byte GPT (primary and backup)`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gpt-'));
    try {
      const sectors = (8 * 1024 * 1024) / ss;
      const gpt = sample(ss, sectors);
      const { head, backup, backupOffset } = overwriteTableHead(gpt, sectors);
      const img = Buffer.alloc(sectors * ss);
      head.copy(img, 0);
      backup.copy(img, backupOffset);
      const file = join(dir, 'disk.img');
      await writeFile(file, img);
      if (ss === 512) {
        const r = await run('sgdisk', ['-v', file]);
        assert.match(r.stdout, /No problems found/);
        const p = await run('sgdisk', ['-p', file]);
        assert.match(p.stdout, /\n\s+1\s+2048\s+4095\s.*boot/);
        assert.match(p.stdout, /\n\s+3\s+4096\s+6143\s.*data/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('corrupt header CRC is rejected', () => {
  const sectors = 16384;
  const { head } = overwriteTableHead(sample(512, sectors), sectors);
  head[512 + 40] = head[512 + 40]! ^ 1;
  assert.equal(parseGptFromBuffer(head, 512), undefined);
});

test('corrupt entries CRC is rejected', () => {
  const sectors = 16384;
  const { head } = overwriteTableHead(sample(512, sectors), sectors);
  head[1024 + 60] = head[1024 + 60]! ^ 1;
  assert.equal(parseGptFromBuffer(head, 512), undefined);
});

test('validateGpt rejects overlap and duplicate GUIDs', () => {
  const gpt = sample(512, 16384);
  gpt.entries[1]!.firstLba = gpt.entries[0]!.lastLba;
  assert.throws(() => validateGpt(gpt), /invalid partition boundaries/);
  const g2 = sample(512, 16384);
  g2.entries[1]!.uniqueGuid = g2.entries[0]!.uniqueGuid;
  assert.throws(() => validateGpt(g2), /duplicate unique partition GUID/);
});

test('serializeGpt places the backup at the last LBA', () => {
  const gpt = sample(512, 16384);
  const s = serializeGpt(gpt, 16384);
  assert.equal(s.backupOffset + s.backup.length, 16384 * 512);
  assert.equal(s.backup.toString('latin1', s.backup.length - 512, s.backup.length - 504), 'EFI PART');
});
