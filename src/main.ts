/**
 * Entry point: argv → cli. The one error boundary: runtime errors exit 1, usage errors exit 2.
 * With --json, an error is one JSON line on stderr (message and causes) instead of text.
 */
import { buildCli } from './cli/index.js';
import { UsageError, errorRecord, formatErrorChain } from './errors.js';
import { flavorOfProgram } from './flavor.js';
import { wantsJson } from './report.js';

export async function main(argv: string[]): Promise<number> {
  try {
    // Started as `coreos-installer` (the package's alias of the launcher): CoreOS names. A shell
    // wrapper that runs node itself names the program it was started as in the environment.
    const program = process.env['NESTOS_INSTALLER_PROGRAM'] || process.argv[1];
    await buildCli(argv, flavorOfProgram(program)).parseAsync();
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    const usage = err instanceof UsageError;
    if (wantsJson(argv)) {
      process.stderr.write(JSON.stringify(errorRecord(err, usage ? 'usage' : 'runtime')) + '\n');
    } else if (usage) {
      process.stderr.write(`error: ${err.message}\n\nFor more information, try '--help'.\n`);
    } else {
      process.stderr.write(formatErrorChain(err) + '\n');
    }
    return usage ? 2 : 1;
  }
}

// A closed stdout pipe (`| head`) ends the program quietly, like upstream's default SIGPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await main(process.argv.slice(2));
process.exitCode = code;
