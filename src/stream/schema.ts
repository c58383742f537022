/**
 * Zod schema of CoreOS/NestOS stream metadata (`<base>/<stream>.json`). Unknown keys are
 * tolerated everywhere (the feeds carry much more than we read); the path the tool reads,
 * `architectures.<arch>.artifacts.<platform>.formats.<format>.<type>.{location,signature,
 * sha256,uncompressed-sha256}`, is checked strictly, and errors name the JSON path.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';
import { escapeControl } from './terminal-text.js';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/i, 'expected a 64-digit hex sha256');

export const ArtifactSchema = z.looseObject({
  location: z.string().min(1, 'expected a non-empty URL'),
  signature: z.string().min(1).optional(),
  sha256: sha256.optional(),
  'uncompressed-sha256': sha256.optional(),
});

export const FormatSchema = z.record(z.string(), ArtifactSchema);

export const PlatformSchema = z.looseObject({
  release: z.string().optional(),
  formats: z.record(z.string(), FormatSchema),
});

export const ArchitectureSchema = z.looseObject({
  artifacts: z.record(z.string(), PlatformSchema),
});

export const StreamMetadataSchema = z.looseObject({
  stream: z.string().optional(),
  architectures: z.record(z.string(), ArchitectureSchema),
});

export type StreamMetadata = z.infer<typeof StreamMetadataSchema>;
export type StreamArtifact = z.infer<typeof ArtifactSchema>;

/** `$.architectures.x86_64.formats["raw.xz"]` — dotted when the key is an identifier. */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return (
    '$' +
    path
      .map((k) => {
        if (typeof k === 'number') return `[${k}]`;
        const s = String(k);
        return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
      })
      .join('')
  );
}

/** Validates parsed JSON; throws a UserError naming the first bad JSON path. */
export function parseStreamMetadata(json: unknown, source: string): StreamMetadata {
  const result = StreamMetadataSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new UserError(
    `invalid stream metadata from ${source}: ${escapeControl(`${jsonPath(issue.path)}: ${issue.message}`)}`,
  );
}
