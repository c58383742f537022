/** The default architecture: `uname -m`, as upstream. */
import { machine } from 'node:os';

export function defaultArch(): string {
  return machine();
}
