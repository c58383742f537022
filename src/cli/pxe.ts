/** `pxe …` command group. */
import type { Argv } from 'yargs';
import { createReporter } from '../report.js';
import { flagValue, flavorOf, inputPath, singleValue, stringList } from './options.js';
import { addPxeCustomizeCommand } from './pxe-customize.js';

type Args = Record<string, unknown>;
const outOpt = (y: Argv) =>
  y.option('output', { alias: 'o', type: 'string', describe: 'Output file [default: stdout]', requiresArg: true });
const initrdArg = (y: Argv) =>
  y.positional('initrd', { type: 'string', describe: "initrd image [default: stdin, also '-']" });

export function pxeCommands(y: Argv): Argv {
  return y.command('pxe', 'Commands to manage a CoreOS live PXE image', (y) => {
    let g = y
      .command('ignition', 'Commands to manage a live PXE Ignition config', (y) =>
        y
          .command(
            'wrap',
            'Wrap an Ignition config in an initrd image',
            (y) =>
              outOpt(y)
                .option('ignition-file', {
                  alias: 'i',
                  type: 'string',
                  describe: 'Ignition config to wrap [default: stdin]',
                  requiresArg: true,
                })
                .option('validate', {
                  type: 'boolean',
                  default: true,
                  describe: 'Validate the Ignition config (--no-validate to skip)',
                }),
            async (a: Args) =>
              (await import('../commands/pxe-wrap.js')).pxeIgnitionWrap(
                {
                  ignition: singleValue(a, 'ignition-file'),
                  output: singleValue(a, 'output'),
                  noValidate: !flagValue(a['validate']),
                },
                createReporter(),
              ),
          )
          .command(
            'unwrap [initrd]',
            'Show the wrapped Ignition config in an initrd image',
            initrdArg,
            async (a: Args) =>
              (await import('../commands/pxe-wrap.js')).pxeIgnitionUnwrap({ input: inputPath(a, 'initrd') }),
          )
          .demandCommand(1, 'a subcommand is required'),
      )
      .command('network', 'Commands to manage live PXE network settings', (y) =>
        y
          .command(
            'wrap',
            'Wrap network settings in an initrd image',
            (y) =>
              outOpt(y).option('keyfile', {
                alias: 'k',
                type: 'string',
                array: true,
                nargs: 1,
                demandOption: true,
                describe: 'NetworkManager keyfile to wrap',
              }),
            async (a: Args) =>
              (await import('../commands/pxe-wrap.js')).pxeNetworkWrap({
                keyfiles: stringList(a['keyfile']),
                output: singleValue(a, 'output'),
                flavor: flavorOf(a),
              }),
          )
          .command(
            'unwrap [initrd]',
            'Extract wrapped network settings from an initrd image',
            (y) =>
              initrdArg(y).option('directory', {
                alias: 'C',
                type: 'string',
                describe: 'Extract to directory instead of stdout',
                requiresArg: true,
              }),
            async (a: Args) =>
              (await import('../commands/pxe-wrap.js')).pxeNetworkUnwrap({
                input: inputPath(a, 'initrd'),
                directory: singleValue(a, 'directory'),
              }),
          )
          .demandCommand(1, 'a subcommand is required'),
      );
    g = addPxeCustomizeCommand(g);
    return g.demandCommand(1, 'a subcommand is required');
  });
}
