/**
 * The yargs command tree. Only flag specs and wiring live under src/cli/: handlers call
 * src/commands/* and never print results themselves beyond what those return.
 * Each command group registers itself here; commands appear in --help only once real.
 */
import yargs, { type Argv } from 'yargs';
import { appVersion } from '../app-version.js';
import { UsageError } from '../errors.js';
import { FLAVOR_NAMES, FLAVORS, type Flavor } from '../flavor.js';
import { COMMAND_GROUPS } from './groups.js';
import { failWithHints, PARSER_CONFIGURATION } from './parser.js';

/** Help is laid out for 80 columns whatever the terminal: narrower, yargs would split flag names. */
export const HELP_COLUMNS = 80;

/** `help [COMMAND…]` is `COMMAND… --help`, as upstream's `help` subcommand. */
function helpAsFlag(argv: string[]): string[] {
  return argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv;
}

/** `programFlavor`: the flavour of the program name this run was started as. */
export function buildCli(argv: string[], programFlavor: Flavor = 'nestos'): Argv {
  const program = FLAVORS[programFlavor].program;
  const words = helpAsFlag(argv);
  let cli: Argv = yargs(words)
    .scriptName(program)
    .usage(`${program} <command>\n\nInstaller for NestOS and Fedora CoreOS (ostree-based container OSes)`)
    .wrap(HELP_COLUMNS)
    .strict()
    .exitProcess(false)
    .help()
    .alias('h', 'help')
    .version(`${program} ${appVersion()}`)
    .alias('V', 'version')
    .option('flavor', {
      type: 'string',
      choices: FLAVOR_NAMES,
      default: programFlavor,
      global: true,
      describe: 'NestOS or CoreOS paths and kernel argument names (default: from the program name)',
    })
    .parserConfiguration(PARSER_CONFIGURATION)
    .fail(failWithHints(words));
  for (const group of COMMAND_GROUPS) cli = group(cli);
  // Listed in --help; never run: helpAsFlag turned it into --help before parsing.
  cli = cli.command(
    'help [command..]',
    'Print help for a command',
    () => undefined,
    () => undefined,
  );
  // A default command instead of demandCommand(): yargs' demandCommand also fires on --help.
  return cli.command(
    '$0',
    false,
    () => undefined,
    () => {
      throw new UsageError('a command is required');
    },
  );
}
