/** `iso customize` flags. */
import type { Argv } from 'yargs';
import { createReporter } from '../report.js';
import { flagValue, flavorOf, repeatable, requiredValue, singleValue, stringList } from './options.js';
import { addCustomizeOptions, customizeOptionsFrom } from './customize-options.js';

export function addIsoCustomizeCommand(y: Argv): Argv {
  return y.command(
    'customize <iso>',
    'Customize a CoreOS live ISO image',
    (y) =>
      addCustomizeOptions(y.positional('iso', { type: 'string', demandOption: true, describe: 'ISO image' }))
        .option('live-karg-append', repeatable('Live kernel argument to append'))
        .option('live-karg-delete', repeatable('Live kernel argument to delete'))
        .option('live-karg-replace', repeatable('Live kernel argument to replace (KEY=OLD=NEW)'))
        .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Overwrite existing customizations' })
        .option('output', {
          alias: 'o',
          type: 'string',
          describe: "Write ISO to a new output file ('-' for stdout)",
          requiresArg: true,
        }),
    async (a: Record<string, unknown>) =>
      (await import('../commands/iso-customize.js')).isoCustomize(
        {
          ...customizeOptionsFrom(a),
          iso: requiredValue(a, 'iso'),
          force: flagValue(a['force']),
          output: singleValue(a, 'output'),
          liveKargAppend: stringList(a['live-karg-append']),
          liveKargDelete: stringList(a['live-karg-delete']),
          liveKargReplace: stringList(a['live-karg-replace']),
          flavor: flavorOf(a),
        },
        createReporter(),
      ),
  );
}
