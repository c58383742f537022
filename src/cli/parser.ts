/**
 * What every yargs parser of this CLI shares: repeated flags kept as arrays (so each reader
 * decides what a repeat means, see options.ts), and parse failures as usage errors (exit 2),
 * as upstream's parser does for a bad or missing flag value, with its hints: the similar
 * subcommand or flag for a typo, the subcommands when one is missing.
 */
import { UsageError } from '../errors.js';
import { closest } from './suggest.js';

export const PARSER_CONFIGURATION = { 'duplicate-arguments-array': true } as const;

/** The parts of yargs' usage instance (its fail handler's third argument) the hints read. */
interface UsageView {
  getCommands?: () => Array<[string, ...unknown[]]>;
  getDescriptions?: () => Record<string, unknown>;
}

/** The message yargs gives when a group's demandCommand() is not met. */
export const SUBCOMMAND_REQUIRED = 'a subcommand is required';

const commandNames = (usage: UsageView | undefined): string[] =>
  (usage?.getCommands?.() ?? []).map(([spec]) => spec.split(/\s+/)[0]!).filter((name) => name !== '$0' && name !== '*');

/** The usage error for yargs' message, with a hint when one helps. */
export function usageErrorWithHints(
  message: string,
  usage: UsageView | undefined,
  argv: readonly string[],
): UsageError {
  if (message === SUBCOMMAND_REQUIRED) {
    const names = commandNames(usage);
    if (names.length > 0) return new UsageError(`${message}\n\n  subcommands: ${names.join(', ')}`);
  }
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknown) {
    const typed = unknown[1]!.split(', ')[0]!;
    const flag = argv.find((arg) => arg === `--${typed}` || arg.startsWith(`--${typed}=`) || arg === `-${typed}`);
    if (flag === undefined) {
      const names = commandNames(usage);
      const similar = closest(typed, names);
      if (names.length > 0) {
        return new UsageError(
          `unrecognized subcommand '${typed}'${similar ? `\n\n  tip: a similar subcommand exists: '${similar}'` : ''}`,
        );
      }
    } else {
      const similar = closest(
        typed,
        Object.keys(usage?.getDescriptions?.() ?? {}).filter((k) => k.length > 1),
      );
      return new UsageError(
        `unexpected argument '${flag.split('=')[0]}' found${similar ? `\n\n  tip: a similar argument exists: '--${similar}'` : ''}`,
      );
    }
  }
  return new UsageError(message);
}

/**
 * A yargs fail handler: its own parse and validation failures (a YError, or a message without an
 * error) are usage errors, with hints from the command line `argv`; an error thrown by a command
 * handler passes through unchanged.
 */
export function failWithHints(argv: readonly string[]) {
  return (message: string | undefined, err: Error | undefined, usage?: unknown): never => {
    if (err && err.name !== 'YError') throw err;
    throw usageErrorWithHints(message ?? err?.message ?? 'invalid arguments', usage as UsageView | undefined, argv);
  };
}

/** failWithHints without a command line to read (parsers of words, not of the user's argv). */
export const failAsUsageError = failWithHints([]);
