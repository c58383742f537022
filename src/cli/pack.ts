/**
 * Hidden `pack …` commands, run by the image build: `pack osmet` (the offline-install data of a
 * metal image) and `pack minimal-iso` (miniso.dat of a live ISO). Flag specs only.
 */
import type { Argv } from 'yargs';
import { createReporter } from '../report.js';
import { flagValue, flavorOf, requiredValue } from './options.js';

type Args = Record<string, unknown>;

export function packCommands(y: Argv): Argv {
  return y.command('pack', false, (y) =>
    y
      .command(
        'osmet <device>',
        'Create osmet file from CoreOS block device',
        (y) =>
          y
            .positional('device', { type: 'string', demandOption: true, describe: 'Source block device' })
            .option('output', {
              type: 'string',
              demandOption: true,
              requiresArg: true,
              describe: 'Path to osmet file to write',
            })
            .option('checksum', {
              type: 'string',
              demandOption: true,
              requiresArg: true,
              describe: 'Expected SHA256 of block device',
            })
            .option('description', {
              type: 'string',
              demandOption: true,
              requiresArg: true,
              describe: 'OS description to use in osmet file',
            })
            .option('fast', {
              type: 'boolean',
              default: false,
              describe: 'Fast mode (useful for development; xz preset 0)',
            }),
        async (a: Args) =>
          (await import('../osmet/pack.js')).packOsmet(
            {
              device: requiredValue(a, 'device'),
              output: requiredValue(a, 'output'),
              checksum: requiredValue(a, 'checksum'),
              description: requiredValue(a, 'description'),
              fast: flagValue(a['fast']),
            },
            createReporter(),
          ),
      )
      .command(
        'minimal-iso <full> <minimal>',
        'Pack a minimal ISO into a full ISO',
        (y) =>
          y
            .positional('full', {
              type: 'string',
              demandOption: true,
              describe: 'Path to full ISO (modified in place)',
            })
            .positional('minimal', { type: 'string', demandOption: true, describe: 'Path to minimal ISO' })
            .option('consume', { type: 'boolean', default: false, describe: 'Delete minimal ISO after packing' }),
        async (a: Args) =>
          (await import('../iso/pack-minimal-iso.js')).packMinimalIso(
            {
              full: requiredValue(a, 'full'),
              minimal: requiredValue(a, 'minimal'),
              consume: flagValue(a['consume']),
              flavor: flavorOf(a),
            },
            createReporter(),
          ),
      )
      .demandCommand(1, 'a subcommand is required'),
  );
}
