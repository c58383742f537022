/**
 * `install [DEVICE]`: the flags (made from the option table, src/install/option-fields.ts), argv →
 * the command line's source configuration, and the run: the front door
 * (src/install/install-request.ts) merges the `-c` files once, then the image install
 * (src/commands/install.ts) or the ostree deploy (src/ostree/install.ts) runs.
 */
import yargs, { type Argv, type Options } from 'yargs';
import { createReporter, type Reporter } from '../report.js';
import type { InstallResult } from '../commands/install.js';
import { type InstallConfig, sourceConfig } from '../install/install-config.js';
import type { InstallRequest } from '../install/install-request.js';
import { DEST_DEVICE, FIRSTBOOT_ARGS, INSTALL_FIELDS } from '../install/option-fields.js';
import { addJsonOption } from './json-option.js';
import { flagValue, flavorOf, lastValue, stringList } from './options.js';
import { failAsUsageError, PARSER_CONFIGURATION } from './parser.js';

type Args = Record<string, unknown>;

// The image install's options come first in --help, the ostree deploy's after them: yargs lists
// groups in the order they are first named, and its own default group is this one.
const MAIN_GROUP = 'Options:';
const OSTREE_GROUP = 'OSTree deploy:';

export function addInstallFlags<T>(y: Argv<T>): Argv<T> {
  let out = y
    .positional('device', { type: 'string', describe: 'Destination device (or a regular file: a VM disk image)' })
    .option('config-file', {
      alias: 'c',
      type: 'string',
      array: true,
      nargs: 1,
      group: MAIN_GROUP,
      describe: 'YAML config file with install options (repeatable)',
    }) as Argv<T>;
  for (const field of INSTALL_FIELDS) {
    if (field.negates) {
      // yargs reads `--no-X` as X=false; the option it knows is X.
      out = out.option(field.negates, { type: 'boolean', default: true, describe: field.describe });
      continue;
    }
    const spec: Options = {
      describe: field.describe,
      ...(field.short ? { alias: field.short } : {}),
      ...(field.hidden ? { hidden: true } : {}),
      group: field.origin === 'ostree' ? OSTREE_GROUP : MAIN_GROUP,
      ...(field.kind === 'flag'
        ? { type: 'boolean' }
        : field.kind === 'list'
          ? { type: 'string', array: true, nargs: 1 }
          : { type: 'string', requiresArg: true }),
    };
    out = out.option(field.name, spec);
  }
  return addJsonOption(
    out
      .option('ignition', {
        type: 'string',
        requiresArg: true,
        hidden: true,
        describe: 'Embed an Ignition config from a file (deprecated)',
      })
      .option(FIRSTBOOT_ARGS, {
        type: 'string',
        requiresArg: true,
        hidden: true,
        describe: 'First-boot kernel arguments (used by the live service)',
      })
      .option('dry-run', { type: 'boolean', describe: 'Print the plan without writing anything' }) as Argv<T>,
  );
}

/** The command line's own values as one merge source (later repeats of a scalar win). */
export function commandLineConfig(argv: Args): InstallConfig {
  const raw: Record<string, unknown> = {};
  for (const field of INSTALL_FIELDS) {
    if (field.negates) {
      if (argv[field.negates] !== undefined) raw[field.name] = !flagValue(argv[field.negates]);
      continue;
    }
    const value = argv[field.name];
    if (value === undefined) continue;
    raw[field.name] =
      field.kind === 'list' ? stringList(value) : field.kind === 'flag' ? flagValue(value) : lastValue(value);
  }
  // `--ignition` is upstream's deprecated spelling of `--ignition-file`.
  raw['ignition-file'] ??= lastValue(argv['ignition']);
  raw[DEST_DEVICE] = lastValue(argv['device']);
  raw[FIRSTBOOT_ARGS] = lastValue(argv[FIRSTBOOT_ARGS]);
  return sourceConfig(raw);
}

/** Parses `install` arguments given as words (the live service's command line). */
export function parseInstallWords(words: readonly string[]): Args {
  return yargs(['install', ...words])
    .parserConfiguration(PARSER_CONFIGURATION)
    .exitProcess(false)
    .strict()
    .fail(failAsUsageError)
    .command('install [device]', false, (y) => addInstallFlags(y))
    .parseSync();
}

/** Runs a resolved install; a dry run's plan goes to stdout (unless --json). */
export async function runInstallRequest(
  request: InstallRequest,
  reporter: Reporter,
): Promise<InstallResult | undefined> {
  if (request.mode === 'ostree') {
    const { ostreeInstall } = await import('../ostree/install.js');
    await ostreeInstall(request.options, reporter);
    return undefined;
  }
  const { installCommand } = await import('../commands/install.js');
  const result = await installCommand({ options: request.options, config: request.config }, reporter);
  if (result.dryRun && !reporter.json) process.stdout.write(result.plan.join('\n') + '\n');
  return result;
}

export function installCommands(y: Argv): Argv {
  return y.command(
    'install [device]',
    'Install NestOS or Fedora CoreOS',
    (yy) => addInstallFlags(yy),
    async (argv) => {
      const args = argv as Args;
      const reporter = createReporter({ json: flagValue(args['json']) });
      // Heavy modules (openpgp, decoders) load only when a command runs: peak RSS matters.
      const { resolveInstallRequest } = await import('../install/install-request.js');
      const request = await resolveInstallRequest(
        {
          commandLine: commandLineConfig(args),
          configFiles: stringList(args['config-file']),
          run: { dryRun: flagValue(args['dry-run']), flavor: flavorOf(args) },
        },
        reporter,
      );
      await runInstallRequest(request, reporter);
    },
  );
}
