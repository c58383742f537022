/** Small parsing helpers shared by flag specs. */
import { UsageError } from '../errors.js';

/** `--fetch-retries N|infinite` → attempts beyond the first (Infinity for infinite). */
export function parseFetchRetries(value: unknown): number {
  if (value === undefined) return 0;
  const text = String(value);
  if (text === 'infinite') return Number.POSITIVE_INFINITY;
  if (!/^\d+$/.test(text)) throw new UsageError(`invalid value '${text}' for '--fetch-retries <N>': expected a number or 'infinite'`);
  return Number(text);
}

/** Repeatable string flags arrive as undefined, a string, or an array; options may be comma-separated. */
export function stringList(value: unknown, splitCommas = false): string[] {
  if (value === undefined || value === null) return [];
  const items = (Array.isArray(value) ? value : [value]).map(String);
  return splitCommas ? items.flatMap((s) => s.split(',')) : items;
}
