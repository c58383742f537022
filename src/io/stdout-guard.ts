/** Binary output never goes to a terminal (upstream refuses it too). */
import { UserError } from '../errors.js';

export function assertStdoutNotTerminal(stream: { isTTY?: boolean } = process.stdout): void {
  if (stream.isTTY) throw new UserError('Refusing to write binary data to terminal');
}

/** Writes a buffer to stdout, waiting for the pipe to drain. */
export async function writeStdout(data: Buffer | string): Promise<void> {
  if (!process.stdout.write(data)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}
