/** Placeholder until the xorriso rebuild lands (issue 4 point 7). */
import { UserError } from '../errors.js';
import type { Reporter } from '../report.js';

export async function rebuildWithEmbedArea(_iso: string, _output: string | undefined, _config: Buffer, _reporter: Reporter): Promise<void> {
  throw new UserError('--rebuild is not implemented yet');
}
