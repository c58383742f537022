/** `pxe …` command group. */
import type { Argv } from 'yargs';
import { createReporter } from '../report.js';
import { stringList } from './options.js';
import { addPxeCustomizeCommand } from './pxe-customize.js';

type Args = Record<string, unknown>;
const str = (v: unknown) => (v === undefined ? undefined : String(v));
const outOpt = (y: Argv) => y.option('output', { alias: 'o', type: 'string', describe: 'Output file [default: stdout]', requiresArg: true });
const initrdArg = (y: Argv) => y.positional('initrd', { type: 'string', describe: 'initrd image [default: stdin]' });

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
                .option('ignition-file', { alias: 'i', type: 'string', describe: 'Ignition config to wrap [default: stdin]', requiresArg: true })
                .option('validate', { type: 'boolean', default: true, describe: 'Validate the Ignition config (--no-validate to skip)' }),
            async (a: Args) =>
              (await import('../commands/pxe-wrap.js')).pxeIgnitionWrap({ ignition: str(a['ignition-file']), output: str(a['output']), noValidate: a['validate'] === false }, createReporter()),
          )
          .command('unwrap [initrd]', 'Show the wrapped Ignition config in an initrd image', initrdArg, async (a: Args) =>
            (await import('../commands/pxe-wrap.js')).pxeIgnitionUnwrap({ input: str(a['initrd']) }),
          )
          .demandCommand(1, 'a subcommand is required'),
      )
      .command('network', 'Commands to manage live PXE network settings', (y) =>
        y
          .command(
            'wrap',
            'Wrap network settings in an initrd image',
            (y) =>
              outOpt(y)
                .option('keyfile', { alias: 'k', type: 'string', demandOption: true, describe: 'NetworkManager keyfile to wrap', requiresArg: true })
                .option('nestos', { type: 'boolean', default: false, describe: 'Use etc/nestos-firstboot-network/ (NestOS live initramfs)' }),
            async (a: Args) => (await import('../commands/pxe-wrap.js')).pxeNetworkWrap({ keyfiles: stringList(a['keyfile']), output: str(a['output']), nestos: Boolean(a['nestos']) }),
          )
          .command(
            'unwrap [initrd]',
            'Extract wrapped network settings from an initrd image',
            (y) => initrdArg(y).option('directory', { alias: 'C', type: 'string', describe: 'Extract to directory instead of stdout', requiresArg: true }),
            async (a: Args) => (await import('../commands/pxe-wrap.js')).pxeNetworkUnwrap({ input: str(a['initrd']), directory: str(a['directory']) }),
          )
          .demandCommand(1, 'a subcommand is required'),
      );
    g = addPxeCustomizeCommand(g);
    return g.demandCommand(1, 'a subcommand is required');
  });
}
