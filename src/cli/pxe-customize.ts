/** `pxe customize` flags (filled in when customize lands). */
import type { Argv } from 'yargs';

export function addPxeCustomizeCommand(y: Argv): Argv {
  return y;
}
