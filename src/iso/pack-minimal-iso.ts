/**
 * `pack minimal-iso [--consume] FULL MINIMAL` (hidden; run by the image build): records in FULL's
 * pre-allocated miniso.dat how to rebuild MINIMAL from FULL. Every file of MINIMAL must exist in
 * FULL with the same length; those are left out of the packed bytes and copied back from FULL
 * at extraction. The record is checked by rebuilding MINIMAL from FULL before it is written.
 */
import { unlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { appVersion } from '../app-version.js';
import { UserError } from '../errors.js';
import type { Iso9660 } from '../formats/iso9660.js';
import { type TableEntry, ISO_SECTOR, MINISO_VERSION, encodeMiniso, validateTable } from '../formats/miniso.js';
import { xzSync, check } from 'node-liblzma';
import { sha256OfFile } from '../verify/file-sha256.js';
import type { Reporter } from '../report.js';
import { LiveIso } from './live-iso.js';
import type { Flavor } from '../flavor.js';
import { NO_MINISO, isoFiles, minisoRecords, rebuildMinimalIso } from './minimal-iso.js';

export interface PackMinimalIsoOptions {
  full: string;
  minimal: string;
  consume: boolean;
  flavor: Flavor;
}

/** The table: one entry per minimal-ISO file, sorted by minimal sector, empties and hard links dropped. */
export function buildTable(
  full: Iso9660,
  minimal: Iso9660,
  names: { full: string; minimal: string },
): { entries: TableEntry[]; matched: number; total: number } {
  const fullFiles = isoFiles(full);
  const minimalFiles = isoFiles(minimal);
  if (fullFiles.size === 0) throw new UserError(`No files found in ${names.full}`);
  if (minimalFiles.size === 0) throw new UserError(`No files found in ${names.minimal}`);
  const all: TableEntry[] = [];
  for (const [path, m] of minimalFiles) {
    const f = fullFiles.get(path);
    if (!f) throw new UserError(`missing minimal file ${path} in full ISO`);
    if (f.length !== m.length) throw new UserError(`File ${path} has different lengths in full and minimal ISOs`);
    all.push({ minimal: m.sector, full: f.sector, length: m.length });
  }
  all.sort((a, b) => a.minimal - b.minimal);
  const entries: TableEntry[] = [];
  for (const e of all) {
    if (e.length === 0) continue;
    const last = entries[entries.length - 1];
    if (last && last.minimal === e.minimal && last.full === e.full && last.length === e.length) continue;
    entries.push(e);
  }
  validateTable(entries);
  return { entries, matched: all.length, total: minimalFiles.size };
}

/** The minimal ISO without the table's file bytes (sector padding kept). */
function packedBytes(minimal: Iso9660, entries: readonly TableEntry[]): { packed: Buffer; skipped: number } {
  const parts: Buffer[] = [];
  let pos = 0;
  let skipped = 0;
  for (const e of entries) {
    const at = e.minimal * ISO_SECTOR;
    parts.push(minimal.read(pos, at - pos, 'reading minimal ISO'));
    pos = at + e.length;
    skipped += e.length;
  }
  parts.push(minimal.read(pos, minimal.fileLength - pos, 'reading minimal ISO'));
  return { packed: Buffer.concat(parts), skipped };
}

export async function packMinimalIso(options: PackMinimalIsoOptions, reporter: Reporter): Promise<void> {
  const full = new LiveIso(options.full, options.flavor);
  try {
    const minimal = new LiveIso(options.minimal, options.flavor);
    let miniso: Buffer;
    try {
      reporter.info('Packing minimal ISO');
      const { entries, matched, total } = buildTable(full.iso, minimal.iso, {
        full: options.full,
        minimal: options.minimal,
      });
      reporter.info(`Matched ${matched} files of ${total}`);
      const digest = await sha256OfFile(options.minimal);
      const { packed, skipped } = packedBytes(minimal.iso, entries);
      const xzpacked = xzSync(packed, { preset: 9, check: check.CRC64, threads: 1 });
      reporter.info(`Total bytes skipped: ${skipped}`);
      reporter.info(`Total bytes written: ${packed.length}`);
      reporter.info(`Total bytes written (compressed): ${xzpacked.length}`);
      const data = { entries, digest, xzpacked };
      miniso = encodeMiniso({ version: MINISO_VERSION, appVersion: appVersion() }, data);
      reporter.info('Verifying that packed image matches digest');
      for await (const piece of rebuildMinimalIso(full.iso, data)) void piece;
    } finally {
      minimal.close();
    }
    const targets = minisoRecords(full.iso);
    if (targets.length === 0) throw new UserError(NO_MINISO);
    for (const t of targets) {
      if (miniso.length > t.length) throw new UserError(`collision with end of file ${t.path} at offset ${t.length}`);
    }
    const fh = await open(options.full, 'r+');
    try {
      for (const t of targets) await fh.write(miniso, 0, miniso.length, t.offset);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } finally {
    full.close();
  }
  if (options.consume) unlinkSync(options.minimal);
  reporter.info('Packing successful!');
}
