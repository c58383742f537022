/**
 * `iso customize`: replaces the whole embedded initrd; live kargs are set (from the defaults)
 * only when a `--live-karg-*` option is given, else left as they are.
 */
import { UserError } from '../errors.js';
import { type Flavor, isInitrdNetworkPath as isNetworkPath } from '../flavor.js';
import type { Reporter } from '../report.js';
import { editKargs } from '../formats/kargs.js';
import { CONFIG_NAME, openLiveIso } from '../iso/live-iso.js';
import { buildLiveInitrd, type CustomizeOptions } from '../iso/customize.js';
import { writeIsoOutput, type Patch } from '../iso/output.js';

export interface IsoCustomizeOptions extends CustomizeOptions {
  iso: string;
  force: boolean;
  output?: string;
  liveKargAppend: string[];
  liveKargReplace: string[];
  liveKargDelete: string[];
  flavor: Flavor;
}

export async function isoCustomize(options: IsoCustomizeOptions, reporter: Reporter): Promise<void> {
  const live = openLiveIso(options.iso, options.flavor);
  try {
    const current = await live.readInitrd();
    const k = live.kargsAreas();
    const customized =
      current.has(CONFIG_NAME) ||
      [...current.keys()].some(isNetworkPath) ||
      (k !== undefined && live.currentKargs(k) !== k.default);
    if (customized && !options.force) throw new UserError('This ISO image is already customized; use -f to force.');
    const wantsKargs =
      options.liveKargAppend.length + options.liveKargReplace.length + options.liveKargDelete.length > 0;
    if (wantsKargs && !k) throw new UserError('This OS image does not support customizing live kernel arguments.');
    const built = buildLiveInitrd(options, live.features(), live.flavor, reporter);
    const patches: Patch[] = [live.initrdPatch(built.files)];
    if (k && wantsKargs) {
      const kargs = editKargs(k.default, {
        append: options.liveKargAppend,
        replace: options.liveKargReplace,
        delete: options.liveKargDelete,
      });
      patches.push(...live.kargsPatches(k, kargs));
    }
    await writeIsoOutput(options.iso, patches, options.output);
    if (built.autoInstallMessage) reporter.info(built.autoInstallMessage);
  } finally {
    live.close();
  }
}
