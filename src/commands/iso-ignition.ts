/** `iso ignition embed|show|remove` (and the hidden deprecated `iso embed|show|remove`). */
import { UserError } from '../errors.js';
import type { Flavor } from '../flavor.js';
import type { Reporter } from '../report.js';
import { writeStdout } from '../io/stdout-guard.js';
import { CONFIG_NAME, openLiveIso } from '../iso/live-iso.js';
import { editEmbeddedFiles } from '../iso/embed-edit.js';
import { readIgnitionConfig } from './ignition-input.js';
import { rebuildWithEmbedArea } from '../iso/rebuild.js';

export interface IsoIgnitionEmbedOptions {
  iso: string;
  ignition?: string;
  force: boolean;
  output?: string;
  noValidate: boolean;
  rebuild?: boolean;
  flavor: Flavor;
}

export async function isoIgnitionEmbed(options: IsoIgnitionEmbedOptions, reporter: Reporter): Promise<void> {
  const config = await readIgnitionConfig(options.ignition, options.noValidate, reporter);
  if (options.rebuild) {
    await rebuildWithEmbedArea(options.iso, options.output, config, options.flavor, reporter);
    return;
  }
  await editEmbeddedFiles(options, (files) => {
    if (files.has(CONFIG_NAME) && !options.force)
      throw new UserError('This ISO image already has an embedded Ignition config; use -f to force.');
    files.set(CONFIG_NAME, config);
  });
}

export async function isoIgnitionShow(options: { iso: string; flavor: Flavor }): Promise<void> {
  const live = openLiveIso(options.iso, options.flavor);
  try {
    const config = (await live.readInitrd()).get(CONFIG_NAME);
    if (!config) throw new UserError('No embedded Ignition config.');
    await writeStdout(config);
  } finally {
    live.close();
  }
}

export async function isoIgnitionRemove(options: { iso: string; output?: string; flavor: Flavor }): Promise<void> {
  await editEmbeddedFiles(options, (files) => void files.delete(CONFIG_NAME));
}
