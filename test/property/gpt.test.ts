/**
 * GPT: serialize → parse is exact for generated tables (512 and 4096-byte sectors, odd entry
 * counts and sizes), and mutated tables are either rejected (undefined / UserError) or parse to
 * something that re-serializes consistently. No crash on any input.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import {
  entriesSectors,
  overwriteTableHead,
  parseGptFromBuffer,
  parseGptHeader,
  validateGpt,
  type Gpt,
  type GptEntry,
} from '../../src/disk/gpt.js';
import { mutate, mutationArb, params, tolerant, TEST_TIMEOUT_MS } from './harness.js';

const guid = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b));
const nonZeroGuid = guid.filter((g) => g.some((b) => b !== 0));
/** UTF-16 names without NUL or lone surrogates, at most 36 code units (72 bytes). */
const nameArb = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_.éß€あ'), maxLength: 36 });

const gptArb = fc
  .record({
    sectorSize: fc.constantFrom(512, 4096),
    numEntries: fc.integer({ min: 1, max: 160 }),
    entrySize: fc.constantFrom(128, 256),
    diskGuid: guid,
    extraSectors: fc.integer({ min: 1, max: 4000 }),
    parts: fc.array(
      fc.record({
        slot: fc.nat(),
        gap: fc.nat(50),
        size: fc.integer({ min: 1, max: 200 }),
        type: nonZeroGuid,
        unique: guid,
        attrs: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        name: nameArb,
      }),
      { maxLength: 6 },
    ),
  })
  .map((r) => {
    const base = { sectorSize: r.sectorSize, numEntries: r.numEntries, entrySize: r.entrySize };
    const firstUsableLba = 2 + entriesSectors(base);
    const entries: GptEntry[] = [];
    const used = new Set<number>();
    let lba = firstUsableLba;
    for (const p of r.parts) {
      const index = (p.slot % r.numEntries) + 1;
      if (used.has(index)) continue;
      used.add(index);
      const firstLba = lba + p.gap;
      const lastLba = firstLba + p.size - 1;
      lba = lastLba + 1;
      const unique = Buffer.from(p.unique);
      unique.writeUInt16LE(index, 0); // unique per entry
      entries.push({
        index,
        typeGuid: p.type,
        uniqueGuid: unique,
        firstLba,
        lastLba,
        attributes: p.attrs,
        name: p.name,
      });
    }
    entries.sort((a, b) => a.index - b.index);
    const lastUsableLba = lba + r.extraSectors;
    const diskSectors = lastUsableLba + 1 + entriesSectors(base) + 1;
    const gpt: Gpt = { ...base, diskGuid: r.diskGuid, firstUsableLba, lastUsableLba, entries };
    return { gpt, diskSectors };
  });

test('GPT: serialize → parse is exact (primary and backup headers)', { timeout: TEST_TIMEOUT_MS }, () => {
  fc.assert(
    fc.property(gptArb, ({ gpt, diskSectors }) => {
      validateGpt(gpt);
      const { head, backup } = overwriteTableHead(gpt, diskSectors);
      const parsed = parseGptFromBuffer(head, gpt.sectorSize);
      assert.ok(parsed, 'our own table must parse');
      assert.deepEqual(parsed, gpt);
      const backupHeader = parseGptHeader(backup.subarray(backup.length - gpt.sectorSize));
      assert.ok(backupHeader);
      assert.equal(backupHeader.currentLba, diskSectors - 1);
      assert.equal(backupHeader.backupLba, 1);
    }),
    params(),
  );
});

test('GPT: mutated tables are rejected or parse consistently, never crash', { timeout: TEST_TIMEOUT_MS }, () => {
  // Mutations concentrated on LBA 1-2 (header and first entries), where every field is read.
  fc.assert(
    fc.property(
      gptArb,
      fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      ({ gpt, diskSectors }, muts, fixCrc) => {
        const { head } = overwriteTableHead(gpt, diskSectors);
        const ss = gpt.sectorSize;
        const region = head.subarray(ss, Math.min(head.length, ss + 1024));
        const bad = Buffer.from(head);
        const mutated = mutate(region, muts);
        mutated.copy(bad, ss, 0, Math.min(mutated.length, region.length));
        if (fixCrc) refreshHeaderCrc(bad.subarray(ss, 2 * ss)); // get past the CRC gate to the field checks
        const parsed = tolerant(() =>
          parseGptFromBuffer(
            mutate(
              bad,
              muts.filter((m) => m.kind === 'truncate'),
            ),
            ss,
          ),
        );
        if (parsed) {
          for (const e of parsed.entries) assert.ok(e.index >= 1 && e.index <= parsed.numEntries);
          tolerant(() => validateGpt(parsed));
        }
      },
    ),
    params(),
  );
});

test('GPT: random sectors never crash the header parser', { timeout: TEST_TIMEOUT_MS }, () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 80, maxLength: 600 }), fc.boolean(), (bytes, sig) => {
      const sector = Buffer.from(bytes);
      if (sig && sector.length >= 8) sector.write('EFI PART', 0, 'latin1');
      if (sig && sector.length >= 92) refreshHeaderCrc(sector);
      tolerant(() => parseGptHeader(sector));
    }),
    params(),
  );
});

function refreshHeaderCrc(sector: Buffer): void {
  if (sector.length < 92) return;
  const size = sector.readUInt32LE(12);
  if (size < 92 || size > sector.length) return;
  sector.writeUInt32LE(0, 16);
  sector.writeUInt32LE(crc32(sector.subarray(0, size)), 16);
}
