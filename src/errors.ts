/**
 * Error types and the error chain. Messages are short lowercase contexts, outermost first,
 * printed by main.ts as `Error: outer` then `Caused by:` lines, as upstream does.
 *
 * Conventions for every module:
 *  - UsageError (exit 2): the command line itself is wrong, as clap would say — an unknown or
 *    malformed flag value, a missing required flag, flags that conflict. Values from install
 *    config files are checked by the same parsers, so they fail the same way.
 *  - UserError (exit 1): everything found while running — a missing file, a busy disk, a server
 *    error, a bad image. VerificationError (exit 1) for signatures and hashes.
 *  - One condition, one class and message in every path that can meet it.
 *  - Keep the cause: `new UserError('reading X', { cause: err })` (or withContext), never
 *    `${err.message}` pasted into a new message; the chain prints every cause and JSON output
 *    carries it. errorMessage() is for the few places that must turn an unknown error into
 *    text (a warning line, a message crossing a worker thread).
 *  - A `.catch(() => undefined)` says in a comment why the failure does not matter (best-effort
 *    cleanup after another error, an optional probe).
 */
import { inspect } from 'node:util';

export interface UserErrorOptions {
  cause?: unknown;
  /**
   * The causes were already shown to the user (install prints the chain before it rolls back,
   * then ends with a bare `Error: install failed`, as upstream). Text output then prints only
   * this error's message; JSON output still carries the whole chain.
   */
  causesShown?: boolean;
}

/** A runtime failure the user can act on; exit status 1. */
export class UserError extends Error {
  readonly causesShown: boolean;
  constructor(message: string, options?: UserErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.causesShown = options?.causesShown ?? false;
  }
}

/** A bad command line; exit status 2, like clap's argument errors upstream. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A signature or checksum that did not match. Always fatal, even with --insecure. */
export class VerificationError extends UserError {
  constructor(message: string, options?: UserErrorOptions) {
    super(message, options);
    this.name = 'VerificationError';
  }
}

/** The message of an unknown thrown value (an Error's message, anything else as text). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The error for work stopped by a signal (SIGINT, SIGTERM: the abort reason). */
export function interruptedError(signal: AbortSignal | undefined): UserError {
  return new UserError(`interrupted by ${String(signal?.reason ?? 'signal')}`);
}

/** Wraps an error with an outer context: `await withContext(p, "reading X")`. */
export async function withContext<T>(work: Promise<T> | (() => Promise<T>), context: string): Promise<T> {
  try {
    return await (typeof work === 'function' ? work() : work);
  } catch (err) {
    throw new UserError(context, { cause: err });
  }
}

/** Synchronous twin of withContext. */
export function withContextSync<T>(work: () => T, context: string): T {
  try {
    return work();
  } catch (err) {
    throw new UserError(context, { cause: err });
  }
}

/** The messages of an error and its causes, outermost first. */
export function errorChain(err: unknown): string[] {
  const chain: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 32; depth++) {
    if (current instanceof Error) {
      chain.push(current.message || current.name);
      current = current.cause;
    } else {
      // A thrown non-Error: a string as it is, anything else in inspect's notation.
      chain.push(typeof current === 'string' ? current : inspect(current));
      break;
    }
  }
  return chain;
}

/** Formats an error as upstream does: `Error: <outer>` + blank line + numbered `Caused by:`. */
export function formatErrorChain(err: unknown): string {
  const [outer, ...rest] = errorChain(err);
  const causes = err instanceof UserError && err.causesShown ? [] : rest;
  let text = `Error: ${outer ?? 'unknown error'}`;
  if (causes.length > 0) {
    text += '\n\nCaused by:\n' + causes.map((c, i) => `    ${i}: ${c}`).join('\n');
  }
  return text;
}

/** True when any error in the chain is an instance of the given class. */
export function chainHas(err: unknown, cls: abstract new (...args: never[]) => Error): boolean {
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 32; depth++) {
    if (current instanceof cls) return true;
    current = (current as Error).cause;
  }
  return false;
}

/** The one JSON record an error becomes under --json: the message and every cause, outermost first. */
export function errorRecord(err: unknown, kind: 'runtime' | 'usage' = 'runtime'): Record<string, unknown> {
  const [message, ...causes] = errorChain(err);
  return { type: 'error', kind, message: message ?? 'unknown error', causes };
}
