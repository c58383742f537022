/** `iso reset`: empty Ignition area, default kargs (when the image has kargs areas). */
import type { Flavor } from '../flavor.js';
import { openLiveIso } from '../iso/live-iso.js';
import { writeIsoOutput } from '../iso/output.js';

export async function isoReset(options: { iso: string; output?: string; flavor: Flavor }): Promise<void> {
  const live = openLiveIso(options.iso, options.flavor);
  try {
    const patches = [live.initrdPatch(new Map())];
    const k = live.kargsAreas();
    if (k) patches.push(...live.kargsPatches(k, k.default));
    await writeIsoOutput(options.iso, patches, options.output);
  } finally {
    live.close();
  }
}
