/**
 * `--json`, the same on every command that has it: messages, progress, the result and any error
 * as JSON lines on stderr, one object per line (src/report.ts, src/main.ts); stdout stays empty.
 */
import type { Argv } from 'yargs';

export const JSON_DESCRIPTION = 'Messages, progress, the result and any error as JSON lines on stderr';

export function addJsonOption<T>(y: Argv<T>): Argv<T> {
  return y.option('json', { type: 'boolean', describe: JSON_DESCRIPTION });
}
