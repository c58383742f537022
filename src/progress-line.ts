/**
 * The text of a progress display: upstream's `Read <artifact-type> <pos>/<total> (<pct>%)` line
 * (plain output, the journal), and the terminal's bar with rate and ETA. The rate counts only
 * bytes transferred by this run: bytes already on disk (a resumed download) are read first and
 * fast, so the measurement starts once they are behind.
 */

export interface ProgressEvent {
  /** The artifact type being read, as upstream names it: "disk", "kernel", "initramfs", … */
  label: string;
  bytes: number;
  total?: number;
  /** Bytes at the start that were already on disk (a resumed download), not transferred now. */
  resumed?: number;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Binary units with one decimal, as upstream: `749.9 MiB`. */
export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

function percent(event: ProgressEvent): number | undefined {
  if (event.total === undefined || event.total <= 0) return undefined;
  return Math.min(100, Math.floor((event.bytes * 100) / event.total));
}

/** Upstream's progress text: `Read disk 1.0 MiB/2.0 MiB (50%)`. */
export function progressText(event: ProgressEvent): string {
  const pct = percent(event);
  if (pct !== undefined)
    return `Read ${event.label} ${formatBytes(event.bytes)}/${formatBytes(event.total!)} (${pct}%)`;
  return `Read ${event.label} ${formatBytes(event.bytes)}`;
}

/** `1:05`, `1:02:03`: an ETA as a terminal shows it. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/**
 * Measures the transfer rate of one progress display: from the first event at or past the
 * resumed bytes, over the bytes that came after it.
 */
export class RateMeter {
  private origin: { t: number; bytes: number } | undefined;

  /** Forgets the measurement (a new display starts). */
  reset(): void {
    this.origin = undefined;
  }

  /** Bytes per second so far, or undefined until there is something to measure. */
  sample(event: ProgressEvent, t: number): number | undefined {
    if (this.origin === undefined) {
      if (event.bytes >= (event.resumed ?? 0)) this.origin = { t, bytes: event.bytes };
      return undefined;
    }
    const secs = (t - this.origin.t) / 1000;
    const bytes = event.bytes - this.origin.bytes;
    return secs > 0 && bytes > 0 ? bytes / secs : undefined;
  }
}

/**
 * The terminal line: `Read disk [=====>     ] 12.0 MiB/32.0 MiB (37%)  5.0 MiB/s  ETA 0:04`,
 * fitted into `columns` (the bar shrinks first; without room it is left out).
 */
export function barText(event: ProgressEvent, bytesPerSecond: number | undefined, columns: number): string {
  const pct = percent(event);
  const amounts =
    pct === undefined ? formatBytes(event.bytes) : `${formatBytes(event.bytes)}/${formatBytes(event.total!)} (${pct}%)`;
  let tail = '';
  if (bytesPerSecond !== undefined) {
    tail += `  ${formatBytes(Math.round(bytesPerSecond))}/s`;
    if (event.total !== undefined && event.total > event.bytes)
      tail += `  ETA ${formatDuration((event.total - event.bytes) / bytesPerSecond)}`;
  }
  const head = `Read ${event.label} `;
  // The spinner and its space take two columns; one more stays free so the line never wraps.
  const room = columns - 3 - head.length - amounts.length - tail.length - 3;
  if (pct === undefined || room < 10) return `${head}${amounts}${tail}`;
  const width = Math.min(30, room);
  const filled = Math.floor((width * pct) / 100);
  const bar = filled >= width ? '='.repeat(width) : '='.repeat(filled) + '>' + ' '.repeat(width - filled - 1);
  return `${head}[${bar}] ${amounts}${tail}`;
}
