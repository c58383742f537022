/**
 * Reading values out of yargs' argv. Repeated flags arrive as arrays (duplicate-arguments-array),
 * so every read says what a repeat means: a list, the last value (install, whose options
 * override earlier ones as upstream's do), or a usage error (a single-valued flag elsewhere,
 * as upstream's parser refuses it). Nothing is ever joined into one string.
 */
import { UsageError } from '../errors.js';
import { FLAVOR_NAMES, type Flavor } from '../flavor.js';

export { parseFetchRetries } from '../install/option-fields.js';

type Args = Record<string, unknown>;

/** The yargs spec of a repeatable string flag: every occurrence is kept, in order (read with stringList). */
export const repeatable = (describe: string) => ({ type: 'string' as const, array: true, nargs: 1, describe });

/** A flag's text; an object is yargs' reading of a dotted flag name (`--stream.x=1`), refused. */
function scalarText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UsageError(`unexpected argument value ${JSON.stringify(value)}: a flag name cannot contain '.'`);
}

/** The last value of a flag that may be repeated (later overrides earlier). */
export function lastValue(value: unknown): string | undefined {
  return scalarText(Array.isArray(value) ? value[value.length - 1] : value);
}

/** The value of a single-valued flag; given more than once is a usage error. */
export function singleValue(argv: Args, key: string): string | undefined {
  const value = argv[key];
  if (Array.isArray(value)) throw new UsageError(`the argument '--${key}' cannot be used multiple times`);
  return scalarText(value);
}

/** A required positional or single-valued flag (yargs has already checked it is present). */
export function requiredValue(argv: Args, key: string): string {
  const value = singleValue(argv, key);
  if (value === undefined) throw new UsageError(`the argument '${key}' is required`);
  return value;
}

/** A boolean flag: its last occurrence decides (`--validate --no-validate`). */
export function flagValue(value: unknown): boolean {
  return (Array.isArray(value) ? value[value.length - 1] : value) === true;
}

/** Repeatable string flags arrive as undefined, a string, or an array. */
export function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** `--flag A --flag B` conflicts: clap's message, usage error. */
export function refuseTogether(argv: Args, a: string, b: string): void {
  if (flagValue(argv[a]) && flagValue(argv[b]))
    throw new UsageError(`the argument '--${a}' cannot be used with '--${b}'`);
}

/** The flavour this run uses (the global --flavor, whose default follows the program name). */
export function flavorOf(argv: Args): Flavor {
  const value = lastValue(argv['flavor']) ?? 'nestos';
  if (!(FLAVOR_NAMES as readonly string[]).includes(value))
    throw new UsageError(`invalid value '${value}' for '--flavor': expected nestos or coreos`);
  return value as Flavor;
}

/**
 * A positional input where `-` means stdin. yargs turns a lone `-` into '', which is never a
 * file name, so '' is read as `-` too.
 */
export function inputPath(argv: Args, key: string): string | undefined {
  const value = singleValue(argv, key);
  return value === '' || value === '-' ? '-' : value;
}
