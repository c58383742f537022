/**
 * `--save-partlabel` globs (matched against the GPT partition name) and `--save-partindex`
 * ranges (`N`, `N-M`, `N-`, `-M`), with upstream's error messages.
 */
import { UsageError } from '../errors.js';
import type { GptEntry } from './gpt.js';

export type PartitionFilter =
  | { kind: 'label'; pattern: string; regex: RegExp }
  | { kind: 'index'; start?: number; end?: number };

/** Converts a glob (`*`, `?`, `[...]`, `[!...]`) like Rust's glob crate, rejecting what it rejects. */
export function globToRegex(pattern: string): RegExp {
  const bad = () => new UsageError(`couldn't parse label glob '${pattern}'`);
  let re = '^';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '*') {
      let n = 0;
      while (pattern[i + n] === '*') n++;
      if (n >= 3) throw bad();
      if (n === 2) {
        // `**` is only valid as a whole path component.
        const before = i === 0 || pattern[i - 1] === '/';
        const after = i + 2 === pattern.length || pattern[i + 2] === '/';
        if (!before || !after) throw bad();
      }
      re += '.*';
      i += n;
    } else if (c === '?') {
      re += '.';
      i++;
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) throw bad();
      let body = pattern.slice(i + 1, close);
      let negate = false;
      if (body.startsWith('!')) {
        negate = true;
        body = body.slice(1);
      }
      const escaped = body.replace(/[\\\]^]/g, (m) => `\\${m}`);
      re += `[${negate ? '^' : ''}${escaped}]`;
      i = close + 1;
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(re + '$', 's');
}

function parseIndex(text: string, whole: string, ranged: boolean): number {
  if (!/^\d+$/.test(text)) {
    throw new UsageError(ranged ? `couldn't parse partition index range '${whole}'` : `couldn't parse partition index '${whole}'`);
  }
  const n = Number(text);
  if (n === 0) throw new UsageError('partition index cannot be zero');
  if (n > 0xffffffff) throw new UsageError(ranged ? `couldn't parse partition index range '${whole}'` : `couldn't parse partition index '${whole}'`);
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
  for (const l of labels.flatMap((s) => s.split(','))) filters.push({ kind: 'label', pattern: l, regex: globToRegex(l) });
  for (const i of indexes.flatMap((s) => s.split(','))) filters.push(parseIndexFilter(i));
  return filters;
}

export function filterMatches(filter: PartitionFilter, entry: GptEntry): boolean {
  if (filter.kind === 'label') return filter.regex.test(entry.name);
  return (filter.start === undefined || entry.index >= filter.start) && (filter.end === undefined || entry.index <= filter.end);
}

export function hasIndexFilter(filters: readonly PartitionFilter[]): boolean {
  return filters.some((f) => f.kind === 'index');
}
