/** `iso …` command group: flag specs only; work happens in src/commands/iso-*.ts. */
import type { Argv } from 'yargs';
import { createReporter } from '../report.js';
import { flagValue, flavorOf, repeatable, requiredValue, singleValue, stringList } from './options.js';
import { addIsoCustomizeCommand } from './iso-customize.js';

type Args = Record<string, unknown>;
const isoArg = (y: Argv) => y.positional('iso', { type: 'string', describe: 'ISO image', demandOption: true });
const outputOpt = (y: Argv) =>
  y.option('output', {
    alias: 'o',
    type: 'string',
    describe: "Write ISO to a new output file ('-' for stdout)",
    requiresArg: true,
  });
const validateOpt = (y: Argv) =>
  y.option('validate', {
    type: 'boolean',
    default: true,
    describe: 'Validate the Ignition config (--no-validate to skip)',
  });

/** What every ISO command takes: the image, the output mode and the flavour. */
const isoTarget = (a: Args) => ({
  iso: requiredValue(a, 'iso'),
  output: singleValue(a, 'output'),
  flavor: flavorOf(a),
});

function embedIgnition(y: Argv, configFlag: 'ignition-file' | 'config', alias: string) {
  return validateOpt(outputOpt(isoArg(y)))
    .option(configFlag, {
      alias,
      type: 'string',
      describe: 'Ignition config to embed [default: stdin]',
      requiresArg: true,
    })
    .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Overwrite an existing Ignition config' })
    .option('rebuild', {
      type: 'boolean',
      default: false,
      describe: 'Rebuild an ISO without embed area (xorriso) to add one',
    });
}

const embedHandler = (configFlag: string, deprecated: boolean) => async (a: Args) => {
  const reporter = createReporter();
  if (deprecated) reporter.warn('`iso embed` is deprecated; use `iso ignition embed`.  Continuing.');
  await (
    await import('../commands/iso-ignition.js')
  ).isoIgnitionEmbed(
    {
      ...isoTarget(a),
      ignition: singleValue(a, configFlag),
      force: flagValue(a['force']),
      noValidate: !flagValue(a['validate']),
      rebuild: flagValue(a['rebuild']),
    },
    reporter,
  );
};

function ignitionGroup(y: Argv): Argv {
  return y
    .command(
      'embed <iso>',
      'Embed an Ignition config in an ISO image',
      (y) => embedIgnition(y, 'ignition-file', 'i'),
      embedHandler('ignition-file', false),
    )
    .command('show <iso>', 'Show the embedded Ignition config from an ISO image', isoArg, async (a: Args) =>
      (await import('../commands/iso-ignition.js')).isoIgnitionShow(isoTarget(a)),
    )
    .command(
      'remove <iso>',
      'Remove an existing embedded Ignition config from an ISO image',
      (y) => outputOpt(isoArg(y)),
      async (a: Args) => (await import('../commands/iso-ignition.js')).isoIgnitionRemove(isoTarget(a)),
    )
    .demandCommand(1, 'a subcommand is required');
}

function networkGroup(y: Argv): Argv {
  return y
    .command(
      'embed <iso>',
      'Embed network settings in an ISO image',
      (y) =>
        outputOpt(isoArg(y))
          .option('keyfile', {
            alias: 'k',
            type: 'string',
            array: true,
            nargs: 1,
            demandOption: true,
            describe: 'NetworkManager keyfile to embed',
          })
          .option('force', {
            alias: 'f',
            type: 'boolean',
            default: false,
            describe: 'Overwrite existing network settings',
          }),
      async (a: Args) =>
        (await import('../commands/iso-network.js')).isoNetworkEmbed({
          ...isoTarget(a),
          keyfiles: stringList(a['keyfile']),
          force: flagValue(a['force']),
        }),
    )
    .command(
      'extract <iso>',
      'Extract embedded network settings from an ISO image',
      (y) =>
        isoArg(y).option('directory', {
          alias: 'C',
          type: 'string',
          describe: 'Extract to directory instead of stdout',
          requiresArg: true,
        }),
      async (a: Args) =>
        (await import('../commands/iso-network.js')).isoNetworkExtract({
          ...isoTarget(a),
          directory: singleValue(a, 'directory'),
        }),
    )
    .command(
      'remove <iso>',
      'Remove existing network settings from an ISO image',
      (y) => outputOpt(isoArg(y)),
      async (a: Args) => (await import('../commands/iso-network.js')).isoNetworkRemove(isoTarget(a)),
    )
    .demandCommand(1, 'a subcommand is required');
}

function kargsGroup(y: Argv): Argv {
  return y
    .command(
      'modify <iso>',
      'Modify kernel args in an ISO image',
      (y) =>
        outputOpt(isoArg(y))
          .option('append', { ...repeatable('Kernel argument to append'), alias: 'a' })
          .option('delete', { ...repeatable('Kernel argument to delete'), alias: 'd' })
          .option('replace', { ...repeatable('Kernel argument to replace (KEY=OLD=NEW)'), alias: 'r' }),
      async (a: Args) =>
        (await import('../commands/iso-kargs.js')).isoKargsModify({
          ...isoTarget(a),
          append: stringList(a['append']),
          delete: stringList(a['delete']),
          replace: stringList(a['replace']),
        }),
    )
    .command(
      'reset <iso>',
      'Reset kernel args in an ISO image to defaults',
      (y) => outputOpt(isoArg(y)),
      async (a: Args) => (await import('../commands/iso-kargs.js')).isoKargsReset(isoTarget(a)),
    )
    .command(
      'show <iso>',
      'Show kernel args from an ISO image',
      (y) =>
        isoArg(y).option('default', {
          alias: 'd',
          type: 'boolean',
          default: false,
          describe: 'Show default kernel args',
        }),
      async (a: Args) =>
        (await import('../commands/iso-kargs.js')).isoKargsShow({ ...isoTarget(a), default: flagValue(a['default']) }),
    )
    .demandCommand(1, 'a subcommand is required');
}

export function isoCommands(y: Argv): Argv {
  return y.command('iso', 'Commands to manage a CoreOS live ISO image', (y) => {
    let g = y
      .command('ignition', 'Embed an Ignition config in a CoreOS live ISO image', ignitionGroup)
      .command('network', 'Embed network settings in a CoreOS live ISO image', networkGroup)
      .command('kargs', 'Modify kernel args in a CoreOS live ISO image', kargsGroup)
      .command(
        'reset <iso>',
        'Restore a CoreOS live ISO image to default settings',
        (y) => outputOpt(isoArg(y)),
        async (a: Args) => (await import('../commands/iso-reset.js')).isoReset(isoTarget(a)),
      )
      .command('extract', 'Commands to extract files from a CoreOS live ISO image', (y) =>
        y
          .command(
            'pxe <iso>',
            'Extract PXE files from an ISO image',
            (y) =>
              isoArg(y).option('output-dir', {
                alias: 'o',
                type: 'string',
                describe: 'Output directory (created if missing)',
                requiresArg: true,
              }),
            async (a: Args) =>
              (await import('../commands/iso-extract.js')).isoExtractPxe({
                iso: requiredValue(a, 'iso'),
                outputDir: singleValue(a, 'output-dir'),
                flavor: flavorOf(a),
              }),
          )
          .command(
            'minimal-iso <iso> [output]',
            'Extract a minimal ISO from a CoreOS live ISO image',
            (y) =>
              isoArg(y)
                .positional('output', {
                  type: 'string',
                  default: '-',
                  describe: "Minimal ISO output file ('-' for stdout)",
                })
                .option('output-rootfs', {
                  type: 'string',
                  requiresArg: true,
                  describe: 'Extract rootfs image as well',
                })
                .option('rootfs-url', {
                  type: 'string',
                  requiresArg: true,
                  describe: 'Inject rootfs URL karg into minimal ISO',
                }),
            async (a: Args) =>
              (await import('../commands/iso-extract.js')).isoExtractMinimalIso({
                iso: requiredValue(a, 'iso'),
                output: singleValue(a, 'output') ?? '-',
                outputRootfs: singleValue(a, 'output-rootfs'),
                rootfsUrl: singleValue(a, 'rootfs-url'),
                flavor: flavorOf(a),
              }),
          )
          .demandCommand(1, 'a subcommand is required'),
      )
      // Hidden, deprecated spellings (upstream prints a notice and does the same).
      .command('embed <iso>', false, (y) => embedIgnition(y, 'config', 'c'), embedHandler('config', true))
      .command('show <iso>', false, isoArg, async (a: Args) => {
        createReporter().warn('`iso show` is deprecated; use `iso ignition show`.  Continuing.');
        await (await import('../commands/iso-ignition.js')).isoIgnitionShow(isoTarget(a));
      })
      .command(
        'remove <iso>',
        false,
        (y) => outputOpt(isoArg(y)),
        async (a: Args) => {
          createReporter().warn('`iso remove` is deprecated; use `iso ignition remove`.  Continuing.');
          await (await import('../commands/iso-ignition.js')).isoIgnitionRemove(isoTarget(a));
        },
      );
    g = addIsoCustomizeCommand(g);
    return g.demandCommand(1, 'a subcommand is required');
  });
}
