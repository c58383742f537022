/**
 * `--save-partlabel` globs (matched against the GPT partition name) and `--save-partindex`
 * ranges (`N`, `N-M`, `N-`, `-M`), with upstream's error messages.
 */
import { UsageError } from '../errors.js';
import { globToRegExp } from '../formats/glob.js';
import type { GptEntry } from './gpt.js';

export type PartitionFilter =
  { kind: 'label'; pattern: string; regex: RegExp } | { kind: 'index'; start?: number; end?: number };

function parseIndex(text: string, whole: string, ranged: boolean): number {
  if (!/^\d+$/.test(text)) {
    throw new UsageError(
      ranged ? `couldn't parse partition index range '${whole}'` : `couldn't parse partition index '${whole}'`,
    );
  }
  const n = Number(text);
  if (n === 0) throw new UsageError('partition index cannot be zero');
  if (n > 0xffffffff)
    throw new UsageError(
      ranged ? `couldn't parse partition index range '${whole}'` : `couldn't parse partition index '${whole}'`,
    );
  return n;
}

export function parseIndexFilter(text: string): PartitionFilter {
  const parts = text.split('-');
  if (parts.length === 1) {
    const n = parseIndex(text, text, false);
    return { kind: 'index', start: n, end: n };
  }
  if (parts.length !== 2) throw new UsageError(`couldn't parse partition index range '${text}'`);
  const [a, b] = parts as [string, string];
  if (a === '' && b === '') throw new UsageError(`both ends of partition index range '${text}' cannot be open`);
  const start = a === '' ? undefined : parseIndex(a, text, true);
  const end = b === '' ? undefined : parseIndex(b, text, true);
  if (start !== undefined && end !== undefined && start > end) {
    throw new UsageError(`start of partition index range '${text}' cannot be greater than end`);
  }
  return { kind: 'index', start, end };
}

/** Both options are repeatable and comma-separable. */
export function parsePartitionFilters(labels: readonly string[], indexes: readonly string[]): PartitionFilter[] {
  const filters: PartitionFilter[] = [];
  for (const l of labels.flatMap((s) => s.split(',')))
    filters.push({ kind: 'label', pattern: l, regex: globToRegExp(l, 'label glob') });
  for (const i of indexes.flatMap((s) => s.split(','))) filters.push(parseIndexFilter(i));
  return filters;
}

export function filterMatches(filter: PartitionFilter, entry: GptEntry): boolean {
  if (filter.kind === 'label') return filter.regex.test(entry.name);
  return (
    (filter.start === undefined || entry.index >= filter.start) &&
    (filter.end === undefined || entry.index <= filter.end)
  );
}

export function hasIndexFilter(filters: readonly PartitionFilter[]): boolean {
  return filters.some((f) => f.kind === 'index');
}
