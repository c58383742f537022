/**
 * The default architecture of every command (`download`, `list-stream`, `install`, osmet
 * headers): `uname -m`, as upstream, so a download and an install on one host pick the same
 * artifacts. A leaf module so flag specs can show it cheaply.
 */
import { machine } from 'node:os';

export function defaultArch(): string {
  return machine();
}
