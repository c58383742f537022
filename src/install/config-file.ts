/**
 * `-c/--config-file` YAML: keys are the long option names of `install` (option-fields.ts) plus
 * `dest-device`; scalars are strings or numbers, repeatable options lists, flags booleans.
 * Unknown keys are refused, and so are `config-file` and `firstboot-args`, as upstream does.
 * A file becomes one source of the merge in install-config.ts.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { type InstallConfig, sourceConfig } from './install-config.js';
import { DEST_DEVICE, INSTALL_FIELDS } from './option-fields.js';

const scalar = z.union([z.string(), z.number()]);
const list = z.array(scalar);

/** The YAML shape, made from the option table. */
export const ConfigFileSchema = z.strictObject(
  Object.fromEntries([
    [DEST_DEVICE, scalar.optional()],
    ...INSTALL_FIELDS.map((f) => [
      f.name,
      (f.kind === 'list' ? list : f.kind === 'flag' ? z.boolean() : scalar).optional(),
    ]),
  ]) as Record<string, z.ZodOptional<z.ZodType>>,
);

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}

/** Parses one config file's text into its source configuration. */
export function parseConfigFile(text: string): InstallConfig {
  const raw: unknown = parseYaml(text) ?? {};
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new UserError(parsed.error.issues[0] ? describeIssue(parsed.error.issues[0]) : 'invalid config');
  return sourceConfig(parsed.data);
}

export async function readConfigFile(path: string): Promise<InstallConfig> {
  try {
    return parseConfigFile(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UserError(`parsing config file ${path}`, { cause: err });
  }
}
