/**
 * Logical sector sizes an install target may have: 512 or 4096 bytes (the two image formats
 * streams publish, `raw.xz` and `4k.raw.xz`). One parser for `--dest-sector-size` wherever it
 * comes from (command line, config file, the ostree mode).
 */
import { UsageError } from '../errors.js';

export type SectorSize = 512 | 4096;

export function parseSectorSize(text: string): SectorSize {
  if (text === '512') return 512;
  if (text === '4096') return 4096;
  throw new UsageError(`invalid value '${text}' for '--dest-sector-size <N>': expected 512 or 4096`);
}
