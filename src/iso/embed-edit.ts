/**
 * Read-modify-write of a live ISO's Ignition embed area: its current files are read, the caller
 * edits them (refusing what it must, before anything is written), and the area is written back
 * to the ISO in place or to `output`.
 */
import type { Flavor } from '../flavor.js';
import { type LiveIso, openLiveIso } from './live-iso.js';
import { writeIsoOutput } from './output.js';

export interface EmbedTarget {
  iso: string;
  /** Written here instead of in place (`-` for stdout). */
  output?: string;
  flavor: Flavor;
}

export async function editEmbeddedFiles(
  target: EmbedTarget,
  edit: (files: Map<string, Buffer>, live: LiveIso) => void,
): Promise<void> {
  const live = openLiveIso(target.iso, target.flavor);
  try {
    const files = await live.readInitrd();
    edit(files, live);
    await writeIsoOutput(target.iso, [live.initrdPatch(files)], target.output);
  } finally {
    live.close();
  }
}
