/** Ignition configs given to embed/wrap/customize: validated unless --no-validate (upstream never validates). */
import type { Reporter } from '../report.js';
import { validateIgnitionConfig } from '../formats/ignition/validate.js';
import { readInputFile } from './input.js';

export async function readIgnitionConfig(
  path: string | undefined,
  noValidate: boolean,
  reporter: Reporter,
): Promise<Buffer> {
  const bytes = await readInputFile(path, 'Ignition config');
  if (!noValidate) {
    const { warnings } = validateIgnitionConfig(bytes);
    for (const w of warnings) reporter.warn(`Warning: Ignition config: ${w}`);
  }
  return bytes;
}
