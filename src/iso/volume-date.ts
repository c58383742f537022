/**
 * The date a rebuilt ISO is stamped with: the input's primary volume descriptor modification
 * date (else its creation date, else a fixed epoch), so `--rebuild` output depends on the input
 * bytes only and the three output modes give identical images.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { Iso9660, SECTOR } from '../formats/iso9660.js';

/** 2000-01-01T00:00:00Z: used when the volume descriptor carries no usable date. */
export const FALLBACK_EPOCH = 946_684_800;

// ECMA-119 8.4.26/27: 17-byte dec-datetime fields in the primary volume descriptor.
const CREATION_OFFSET = 813;
const MODIFICATION_OFFSET = 830;

/**
 * Parses an ECMA-119 8.4.26.1 date: 16 ASCII digits YYYYMMDDhhmmsscc plus a signed offset from
 * GMT in 15-minute units. All-zero digits mean "not specified"; returns seconds since the epoch.
 */
export function parseVolumeDate(field: Buffer): number | undefined {
  if (field.length !== 17) return undefined;
  const digits = field.toString('latin1', 0, 16);
  if (!/^\d{16}$/.test(digits) || /^0+$/.test(digits)) return undefined;
  const num = (a: number, b: number) => Number(digits.slice(a, b));
  const [year, month, day, hour, minute, second] = [
    num(0, 4),
    num(4, 6),
    num(6, 8),
    num(8, 10),
    num(10, 12),
    num(12, 14),
  ];
  if (
    year < 1970 ||
    year > 2999 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return undefined;
  const offsetQuarters = field.readInt8(16);
  if (offsetQuarters < -48 || offsetQuarters > 52) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  const epoch = local - offsetQuarters * 15 * 60;
  return epoch >= 0 ? epoch : undefined;
}

/** Seconds since the epoch for the ISO's volume (modification, else creation, else fallback). */
export function isoVolumeEpoch(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const iso = new Iso9660(fd, fstatSync(fd).size);
    // The reader validated the descriptor set; find the primary descriptor's sector again.
    for (let sector = 16; sector <= 16 + 256; sector++) {
      const buf = iso.read(sector * SECTOR, SECTOR, 'reading volume descriptor');
      if (buf[0] === 255) break;
      if (buf[0] !== 1) continue;
      return (
        parseVolumeDate(buf.subarray(MODIFICATION_OFFSET, MODIFICATION_OFFSET + 17)) ??
        parseVolumeDate(buf.subarray(CREATION_OFFSET, CREATION_OFFSET + 17)) ??
        FALLBACK_EPOCH
      );
    }
    return FALLBACK_EPOCH;
  } finally {
    closeSync(fd);
  }
}
