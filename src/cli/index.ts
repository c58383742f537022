/**
 * The yargs command tree. Only flag specs and wiring live under src/cli/: handlers call
 * src/commands/* and never print results themselves beyond what those return.
 * Each command group registers itself here; commands appear in --help only once real.
 */
import yargs, { type Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { COMMAND_GROUPS } from './groups.js';

export const PROGRAM = 'nestos-installer';

export function buildCli(argv: string[]): Argv {
  let cli = yargs(argv)
    .scriptName(PROGRAM)
    .usage(`${PROGRAM} <command>\n\nInstaller for NestOS and Fedora CoreOS (ostree-based container OSes)`)
    .wrap(Math.min(80, process.stdout.columns || 80))
    .strict()
    .recommendCommands()
    .exitProcess(false)
    .help()
    .alias('h', 'help')
    .version()
    .alias('V', 'version')
    .parserConfiguration({ 'duplicate-arguments-array': true })
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg ?? 'invalid arguments');
    });
  for (const group of COMMAND_GROUPS) cli = group(cli);
  // A default command instead of demandCommand(): yargs' demandCommand also fires on --help.
  return cli.command('$0', false, () => undefined, () => {
    throw new UsageError('a command is required');
  });
}
