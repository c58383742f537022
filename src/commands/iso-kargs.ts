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

export async function isoKargsModify(options: IsoKargsModifyOptions): Promise<void> {
  const live = new LiveIso(options.iso, options.flavor);
  try {
    const k = live.requireKargs();
    const kargs = editKargs(live.currentKargs(k), {
      append: options.append,
      delete: options.delete,
      replace: options.replace,
    });
    await writeIsoOutput(options.iso, live.kargsPatches(k, kargs), options.output);
  } finally {
    live.close();
  }
}

export async function isoKargsReset(options: { iso: string; output?: string; flavor: Flavor }): Promise<void> {
  const live = new LiveIso(options.iso, options.flavor);
  try {
    const k = live.requireKargs();
    await writeIsoOutput(options.iso, live.kargsPatches(k, k.default), options.output);
  } finally {
    live.close();
  }
}

export async function isoKargsShow(options: { iso: string; default: boolean; flavor: Flavor }): Promise<void> {
  const live = new LiveIso(options.iso, options.flavor);
  try {
    const k = live.requireKargs();
    await writeStdout((options.default ? k.default : live.currentKargs(k)) + '\n');
  } finally {
    live.close();
  }
}
