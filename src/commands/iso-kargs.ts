/** `iso kargs modify|reset|show`: only the kargs regions are ever written. */
import type { Flavor } from '../flavor.js';
import { editKargs } from '../formats/kargs.js';
import { writeStdout } from '../io/stdout-guard.js';
import { LiveIso } from '../iso/live-iso.js';
import { writeIsoOutput } from '../iso/output.js';

export interface IsoKargsModifyOptions {
  iso: string;
  append: string[];
  delete: string[];
  replace: string[];
  output?: string;
  flavor: Flavor;
}

export async function isoKargsModify(o: IsoKargsModifyOptions): Promise<void> {
  const live = new LiveIso(o.iso, o.flavor);
  try {
    const k = live.requireKargs();
    const kargs = editKargs(live.currentKargs(k), { append: o.append, delete: o.delete, replace: o.replace });
    await writeIsoOutput(o.iso, live.kargsPatches(k, kargs), o.output);
  } finally {
    live.close();
  }
}

export async function isoKargsReset(o: { iso: string; output?: string; flavor: Flavor }): Promise<void> {
  const live = new LiveIso(o.iso, o.flavor);
  try {
    const k = live.requireKargs();
    await writeIsoOutput(o.iso, live.kargsPatches(k, k.default), o.output);
  } finally {
    live.close();
  }
}

export async function isoKargsShow(o: { iso: string; default: boolean; flavor: Flavor }): Promise<void> {
  const live = new LiveIso(o.iso, o.flavor);
  try {
    const k = live.requireKargs();
    await writeStdout((o.default ? k.default : live.currentKargs(k)) + '\n');
  } finally {
    live.close();
  }
}
