/** `iso customize` flags (filled in when customize lands). */
import type { Argv } from 'yargs';

export function addIsoCustomizeCommand(y: Argv): Argv {
  return y;
}
