/**
 * The yargs command tree. Only flag specs and wiring live under src/cli/: handlers call
 * src/commands/* and never print results themselves beyond what those return.
 * Each command group registers itself here; commands appear in --help only once real.
 */
import yargs, { type Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { FLAVOR_NAMES, FLAVORS, type Flavor } from '../flavor.js';
import { COMMAND_GROUPS } from './groups.js';
import { failAsUsageError, PARSER_CONFIGURATION } from './parser.js';

/** `programFlavor`: the flavour of the program name this run was started as. */
export function buildCli(argv: string[], programFlavor: Flavor = 'nestos'): Argv {
  const program = FLAVORS[programFlavor].program;
  let cli: Argv = yargs(argv)
    .scriptName(program)
    .usage(`${program} <command>\n\nInstaller for NestOS and Fedora CoreOS (ostree-based container OSes)`)
    .wrap(Math.min(80, process.stdout.columns || 80))
    .strict()
    .recommendCommands()
    .exitProcess(false)
    .help()
    .alias('h', 'help')
    .version()
    .alias('V', 'version')
    .option('flavor', {
      type: 'string',
      choices: FLAVOR_NAMES,
      default: programFlavor,
      global: true,
      describe: 'NestOS or CoreOS paths and kernel argument names (default: from the program name)',
    })
    .parserConfiguration(PARSER_CONFIGURATION)
    .fail(failAsUsageError);
  for (const group of COMMAND_GROUPS) cli = group(cli);
  // A default command instead of demandCommand(): yargs' demandCommand also fires on --help.
  return cli.command('$0', false, () => undefined, () => {
    throw new UsageError('a command is required');
  });
}
