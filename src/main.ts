/** Entry point: argv → cli. The one error boundary: runtime errors exit 1, usage errors exit 2. */
import { buildCli } from './cli/index.js';
import { UsageError, formatErrorChain } from './errors.js';
import { flavorOfProgram } from './flavor.js';

export async function main(argv: string[]): Promise<number> {
  try {
    // Started as `coreos-installer` (the package's alias of the launcher): CoreOS names. A shell
    // wrapper that runs node itself names the program it was started as in the environment.
    const program = process.env['NESTOS_INSTALLER_PROGRAM'] || process.argv[1];
    await buildCli(argv, flavorOfProgram(program)).parseAsync();
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\nFor more information, try '--help'.\n`);
      return 2;
    }
    process.stderr.write(formatErrorChain(err) + '\n');
    return 1;
  }
}

// A closed stdout pipe (`| head`) ends the program quietly, like upstream's default SIGPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await main(process.argv.slice(2));
process.exitCode = code;
