/**
 * `list-stream` rows and upstream's table format. Pure. Names come from the feed: control
 * characters in them are escaped, never printed raw.
 */
import type { StreamMetadata } from './schema.js';
import { escapeControl } from './terminal-text.js';

export type StreamRow = [arch: string, platform: string, format: string];

const byteCompare = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Every (architecture, platform, format) triple, sorted byte-wise by arch, platform, format; escaped for printing. */
export function streamRows(meta: StreamMetadata): StreamRow[] {
  const rows: StreamRow[] = [];
  for (const [arch, a] of Object.entries(meta.architectures)) {
    for (const [platform, p] of Object.entries(a.artifacts)) {
      for (const format of Object.keys(p.formats))
        rows.push([escapeControl(arch), escapeControl(platform), escapeControl(format)]);
    }
  }
  return rows.sort((x, y) => byteCompare(x[0], y[0]) || byteCompare(x[1], y[1]) || byteCompare(x[2], y[2]));
}

/** Header + rows; columns 1 and 2 padded to their widest cell (header included), two-space gaps. */
export function formatStreamTable(rows: StreamRow[]): string {
  const all: StreamRow[] = [['Architecture', 'Platform', 'Format'], ...rows];
  const w1 = Math.max(...all.map((r) => r[0].length));
  const w2 = Math.max(...all.map((r) => r[1].length));
  return all.map(([a, p, f]) => `${a.padEnd(w1)}  ${p.padEnd(w2)}  ${f}`).join('\n') + '\n';
}
