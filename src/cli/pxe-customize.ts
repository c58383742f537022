/** `pxe customize` flags. */
import type { Argv } from 'yargs';
import { createReporter } from '../report.js';
import { addCustomizeOptions, customizeOptionsFrom } from './customize-options.js';
import { flavorOf, requiredValue } from './options.js';

export function addPxeCustomizeCommand(y: Argv): Argv {
  return y.command(
    'customize <path>',
    'Create a custom live PXE boot config',
    (y) =>
      addCustomizeOptions(
        y.positional('path', { type: 'string', demandOption: true, describe: 'CoreOS live initramfs image' }),
      ).option('output', {
        alias: 'o',
        type: 'string',
        demandOption: true,
        describe: "Output file ('-' for stdout)",
        requiresArg: true,
      }),
    async (a: Record<string, unknown>) =>
      (await import('../commands/pxe-customize.js')).pxeCustomize(
        {
          ...customizeOptionsFrom(a),
          input: requiredValue(a, 'path'),
          output: requiredValue(a, 'output'),
          flavor: flavorOf(a),
        },
        createReporter(),
      ),
  );
}
