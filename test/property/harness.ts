/**
 * Shared rules of the property suite: every parser gets at least RUNS generated or mutated
 * inputs; the only error a parser may throw on hostile input is a UserError (a clean "exit 1"
 * message); anything else (TypeError, RangeError, a zlib/liblzma exception) is a crash.
 * Hangs are bounded by each node:test `timeout`.
 */
import fc from 'fast-check';
import { UserError } from '../../src/errors.js';

/** fast-check runs per property; PROPERTY_RUNS lowers it for quick local iterations only. */
export const RUNS = Number(process.env.PROPERTY_RUNS) > 0 ? Number(process.env.PROPERTY_RUNS) : 10_000;

/** Per-test wall-clock bound (a hang fails the test instead of blocking the suite). */
export const TEST_TIMEOUT_MS = 90_000;

/** Fixed seed by default so failures reproduce; PROPERTY_SEED overrides. */
export const params = (extra: fc.Parameters<unknown> = {}): fc.Parameters<unknown> => ({
  numRuns: RUNS,
  seed: Number(process.env.PROPERTY_SEED) || 0x7e57,
  ...extra,
});

/** Runs `parse`, allowing only UserError; returns the result or undefined when refused. */
export function tolerant<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UserError) return undefined;
    throw err;
  }
}

/** Mutations applied to a valid encoding: byte flips/sets, truncation, appended junk, splices. */
export type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'u32'; at: number; value: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('u32' as const),
      at: fc.nat(),
      value: fc.oneof(fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0x80000000), fc.nat()),
    }),
  },
);

export function mutate(input: Buffer, mutations: Mutation[]): Buffer {
  let buf = Buffer.from(input);
  for (const m of mutations) {
    if (buf.length === 0 && m.kind !== 'append') continue;
    if (m.kind === 'set') buf[m.at % buf.length] = m.value;
    else if (m.kind === 'truncate') buf = buf.subarray(0, m.at % buf.length);
    else if (m.kind === 'append') buf = Buffer.concat([buf, m.bytes]);
    else if (buf.length >= 4) buf.writeUInt32LE(m.value >>> 0, m.at % (buf.length - 3));
  }
  return buf;
}
