/** Hidden debug commands used by upstream's shell tests: `dev show iso`, `dev show initrd`. */
import { UserError } from '../errors.js';
import type { Flavor } from '../flavor.js';
import { writeStdout } from '../io/stdout-guard.js';
import { globFilter } from '../formats/glob.js';
import { listInitrd } from '../initrd/collect.js';
import { inputChunks } from '../io/input-chunks.js';
import { LiveIso } from '../iso/live-iso.js';
import { locateIgnitionArea, locateKargsAreas } from '../iso/layout.js';

const pretty = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

export async function devShowIso(options: {
  iso: string;
  ignition: boolean;
  kargs: boolean;
  flavor: Flavor;
}): Promise<void> {
  const live = new LiveIso(options.iso, options.flavor);
  try {
    if (options.ignition) {
      const a = locateIgnitionArea(live.iso, live.flavor);
      return await writeStdout(pretty({ offset: a.offset, length: a.length }));
    }
    if (options.kargs) {
      const k = locateKargsAreas(live.iso, live.flavor);
      if (!k) throw new UserError('No karg embed areas found; old or corrupted CoreOS ISO image.');
      const kargs = k.regions.map((r) => ({
        offset: r.offset,
        length: r.length,
        ...(r.padGiven ? { pad: r.pad } : {}),
        ...(r.endGiven ? { end: r.end } : {}),
      }));
      return await writeStdout(pretty({ length: k.length, default: k.default, kargs }));
    }
    const descriptors = live.iso.descriptors.map((d) => {
      if (d.type !== 'primary') return d;
      const { root, ...rest } = d;
      return { ...rest, root: { name: root.name, address: root.offset, length: root.length } };
    });
    const records = live.iso.walk().map((e) => e.path + (e.record.isDir ? '/' : ''));
    await writeStdout(pretty({ header: { descriptors }, records }));
  } finally {
    live.close();
  }
}

export async function devShowInitrd(options: { input?: string; globs: string[] }): Promise<void> {
  // Names only: file contents stream by without being kept.
  const names = await listInitrd(inputChunks(options.input, 'initrd'), globFilter(options.globs));
  await writeStdout(names.map((p) => p + '\n').join(''));
}
