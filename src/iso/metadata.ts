/** zod schemas for the small JSON files CoreOS/NestOS live ISOs carry. */
import { z } from 'zod';
import { UserError } from '../errors.js';

const u64 = z.number().int().nonnegative();

export const IgnInfoSchema = z.object({
  file: z.string().min(1),
  offset: u64.optional(),
  length: u64.optional(),
});
export type IgnInfo = z.infer<typeof IgnInfoSchema>;

const oneChar = z.string().refine((s) => [...s].length === 1, 'must be a single character');

export const KargsJsonSchema = z.object({
  default: z.string(),
  size: u64,
  files: z.array(z.object({ path: z.string().min(1), offset: u64, pad: oneChar.optional(), end: oneChar.optional() })),
});
export type KargsJson = z.infer<typeof KargsJsonSchema>;

export const FeaturesSchema = z.object({
  'installer-config': z.boolean().optional(),
  'installer-config-directives': z.record(z.string(), z.boolean()).optional(),
  'live-initrd-network': z.boolean().optional(),
});
export type Features = z.infer<typeof FeaturesSchema>;

export function parseJsonFile<T>(bytes: Buffer, schema: z.ZodType<T>, name: string): T {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new UserError(`decoding ${name}`, { cause: e });
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new UserError(
      `decoding ${name}: ${issue ? `${['$', ...issue.path].join('.')}: ${issue.message}` : 'invalid'}`,
    );
  }
  return r.data;
}
