/** Hidden `dev …` debug commands (upstream's shell tests use them). */
import type { Argv } from 'yargs';
import { flagValue, flavorOf, inputPath, refuseTogether, requiredValue, singleValue, stringList } from './options.js';

type Args = Record<string, unknown>;

export function devCommands(y: Argv): Argv {
  return y.command('dev', false, (y) =>
    y
      .command('show', 'Print debugging information', (y) =>
        y
          .command(
            'iso <iso>',
            'Show ISO embed area information',
            (y) =>
              y
                .positional('iso', { type: 'string', demandOption: true })
                .option('ignition', { type: 'boolean', default: false, describe: 'Show Ignition embed area' })
                .option('kargs', { type: 'boolean', default: false, describe: 'Show kargs embed areas' }),
            async (a: Args) => {
              refuseTogether(a, 'ignition', 'kargs');
              await (
                await import('../commands/dev-show.js')
              ).devShowIso({
                iso: requiredValue(a, 'iso'),
                ignition: flagValue(a['ignition']),
                kargs: flagValue(a['kargs']),
                flavor: flavorOf(a),
              });
            },
          )
          .command(
            'initrd <initrd> [filter..]',
            "List files in an initrd ('-' for stdin)",
            (y) =>
              y
                .positional('initrd', { type: 'string', demandOption: true })
                .positional('filter', { type: 'string', array: true }),
            async (a: Args) =>
              (await import('../commands/dev-show.js')).devShowInitrd({
                input: inputPath(a, 'initrd'),
                globs: stringList(a['filter']),
              }),
          )
          .demandCommand(1, 'a subcommand is required'),
      )
      .command('extract', 'Extract data', (y) =>
        y
          .command(
            'initrd <initrd> [filter..]',
            "Extract files from an initrd ('-' for stdin)",
            (y) =>
              y
                .positional('initrd', { type: 'string', demandOption: true })
                .positional('filter', { type: 'string', array: true })
                .option('directory', { alias: 'C', type: 'string', describe: 'Output directory', requiresArg: true })
                .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'List extracted files' }),
            async (a: Args) =>
              (await import('../commands/dev-extract.js')).devExtractInitrd({
                input: inputPath(a, 'initrd'),
                directory: singleValue(a, 'directory'),
                verbose: flagValue(a['verbose']),
                globs: stringList(a['filter']),
                flavor: flavorOf(a),
              }),
          )
          .demandCommand(1, 'a subcommand is required'),
      )
      .demandCommand(1, 'a subcommand is required'),
  );
}
