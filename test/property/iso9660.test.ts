/**
 * ISO 9660 reader and embed-area locator on mutated images: a real xorriso-built live-ISO-shaped
 * fixture is mutated where the parsers look (volume descriptors, directory records, igninfo /
 * kargs / features JSON), including directory loops, extents past the end, giant lengths and
 * truncation. Every run must end in a result or a UserError, never a crash or a hang.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { Iso9660, SECTOR } from '../../src/formats/iso9660.js';
import { isoFlavor, locateIgnitionArea, locateKargsAreas, readFeatures } from '../../src/iso/layout.js';
import { buildFixtureIso, type Fixture } from '../helpers/iso-fixture.js';
import { params, tolerant, TEST_TIMEOUT_MS } from './harness.js';

let fixture: Fixture;
let original: Buffer;
let fd: number;
/** Absolute offsets of directory records, and byte ranges of the small JSON files. */
const records: number[] = [];
let jsonFiles: Array<{ offset: number; length: number }> = [];
let rootExtent = 0;

before(() => {
  fixture = buildFixtureIso({ flavor: 'nestos' });
  original = readFileSync(fixture.iso);
  fd = openSync(fixture.iso, 'r+');
  const iso = new Iso9660(fd, original.length);
  rootExtent = iso.root.extent;
  const dirs = [
    iso.root,
    ...iso
      .walk()
      .filter((e) => e.record.isDir)
      .map((e) => e.record),
  ];
  for (const d of dirs) {
    let pos = 0;
    while (pos < d.length) {
      const len = original[d.offset + pos]!;
      if (len === 0) {
        pos = (Math.floor(pos / SECTOR) + 1) * SECTOR;
        continue;
      }
      records.push(d.offset + pos);
      pos += len;
    }
  }
  jsonFiles = iso
    .walk()
    .filter((e) => e.path.endsWith('.JSO'))
    .map((e) => ({ offset: e.record.offset, length: e.record.length }));
  assert.ok(records.length > 10 && jsonFiles.length === 3, 'fixture shape');
});

after(() => {
  closeSync(fd);
  rmSync(fixture.dir, { recursive: true, force: true });
});

type Patch = { offset: number; data: Buffer };

const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};

/** One hostile edit, expressed as byte patches on the image. */
const patchArb: fc.Arbitrary<(() => Patch) | Patch> = fc.oneof(
  // Any byte of the volume descriptors (PVD at sector 16, terminator at 17).
  fc
    .record({ at: fc.integer({ min: 16 * SECTOR, max: 18 * SECTOR - 1 }), v: fc.integer({ min: 0, max: 255 }) })
    .map(({ at, v }) => ({ offset: at, data: Buffer.from([v]) })),
  // Any byte of any directory record.
  fc
    .record({ r: fc.nat(), off: fc.integer({ min: 0, max: 40 }), v: fc.integer({ min: 0, max: 255 }) })
    .map(({ r, off, v }) => () => ({ offset: records[r % records.length]! + off, data: Buffer.from([v]) })),
  // Extent / length fields: giant, past the end, zero, or pointing back at the root (a loop).
  fc
    .record({
      r: fc.nat(),
      field: fc.constantFrom(2, 10),
      kind: fc.constantFrom('giant', 'past', 'zero', 'root', 'random'),
      n: fc.nat(),
    })
    .map(({ r, field, kind, n }) => () => {
      const value =
        kind === 'giant'
          ? 0xffffffff
          : kind === 'past'
            ? Math.floor(original.length / SECTOR) + (n % 8)
            : kind === 'zero'
              ? 0
              : kind === 'root'
                ? field === 2
                  ? rootExtent
                  : SECTOR
                : n;
      return { offset: records[r % records.length]! + field, data: u32(value) };
    }),
  // Make a record a directory (flag bit) so files get walked as directories.
  fc.nat().map((r) => () => ({ offset: records[r % records.length]! + 25, data: Buffer.from([2]) })),
  // Volume space size / root record fields in the PVD.
  fc
    .record({ field: fc.constantFrom(80, 156 + 2, 156 + 10), v: fc.nat() })
    .map(({ field, v }) => ({ offset: 16 * SECTOR + field, data: u32(v) })),
  // Replace a JSON file's text with generated JSON-like values (padded with spaces to its length).
  fc
    .record({
      j: fc.nat(),
      value: fc.oneof(
        fc.json({ maxDepth: 2 }),
        fc
          .record({
            file: fc.constantFrom('images/ignition.img', 'IMAGES/IGNITION.IMG', '../x', 'nope', ''),
            offset: fc.oneof(fc.nat(), fc.constant(2 ** 53)),
            length: fc.nat(),
          })
          .map((o) => JSON.stringify(o)),
        fc
          .record({
            default: fc.string({ maxLength: 30 }),
            size: fc.oneof(fc.nat(5000), fc.constant(-1)),
            files: fc.array(
              fc.record({
                path: fc.constantFrom('isolinux/isolinux.cfg', 'EFI/BOOT/grub.cfg', 'missing.cfg'),
                offset: fc.nat(300_000),
                pad: fc.constantFrom('#', '', 'ab'),
                end: fc.constantFrom('\n', ''),
              }),
              { maxLength: 3 },
            ),
          })
          .map((o) => JSON.stringify(o)),
      ),
    })
    .map(({ j, value }) => () => {
      const f = jsonFiles[j % jsonFiles.length]!;
      const text = Buffer.alloc(f.length, 0x20);
      Buffer.from(value).copy(text, 0, 0, f.length);
      return { offset: f.offset, data: text };
    }),
);

function exercise(length: number): void {
  const iso = tolerant(() => new Iso9660(fd, length));
  if (!iso) return;
  tolerant(() => iso.walk());
  tolerant(() => iso.lookup('NESTOS/IGNINFO.JSO'));
  tolerant(() => locateIgnitionArea(iso, 'nestos'));
  const kargs = tolerant(() => locateKargsAreas(iso, 'nestos'));
  if (kargs) for (const r of kargs.regions) assert.ok(r.offset + r.length <= length, 'kargs region inside the image');
  tolerant(() => readFeatures(iso, 'nestos'));
  const area = tolerant(() => locateIgnitionArea(iso, 'nestos'));
  if (area) assert.ok(area.offset + area.length <= length, 'Ignition area inside the image');
}

test('ISO 9660 + embed areas: mutated images never crash (UserError only)', { timeout: TEST_TIMEOUT_MS }, () => {
  fc.assert(
    fc.property(fc.array(patchArb, { minLength: 1, maxLength: 4 }), fc.option(fc.nat(), { freq: 5 }), (edits, cut) => {
      const patches = edits.map((e) => (typeof e === 'function' ? e() : e));
      const saved = patches.map((p) => ({
        offset: p.offset,
        data: Buffer.from(original.subarray(p.offset, p.offset + p.data.length)),
      }));
      try {
        for (const p of patches) writeSync(fd, p.data, 0, p.data.length, p.offset);
        // Truncation is modelled by the length the reader is told (every read is bounded by it).
        exercise(cut === null ? original.length : cut % (original.length + 1));
      } finally {
        for (const p of saved.reverse()) writeSync(fd, p.data, 0, p.data.length, p.offset);
      }
    }),
    params(),
  );
});

test('ISO 9660: the unmutated fixture still parses after the fuzzing (patches were undone)', () => {
  const iso = new Iso9660(fd, original.length);
  assert.ok(locateKargsAreas(iso, 'nestos'));
  assert.ok(locateIgnitionArea(iso, 'nestos'));
  assert.equal(isoFlavor(iso, 'coreos'), 'nestos');
  assert.deepEqual(readFileSync(fixture.iso), original);
});
