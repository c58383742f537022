/**
 * Boot Loader Specification entries as ostree writes them (`/boot/loader/entries/*.conf`):
 * `key value` lines. Parsing keeps every line so a rewrite changes only what was edited.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';

export interface BlsEntry {
  /** Path of the .conf file (absolute, as read). */
  file: string;
  /** The file's lines, without line endings. */
  lines: string[];
}

/** Directory of the entries under a mounted boot filesystem (follows the loader symlink). */
export function blsEntriesDir(bootDir: string): string {
  return join(bootDir, 'loader', 'entries');
}

export function parseBlsEntry(file: string, text: string): BlsEntry {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return { file, lines };
}

/** All values of a key, in order (`initrd` may repeat). */
export function blsValues(entry: BlsEntry, key: string): string[] {
  const values: string[] = [];
  for (const line of entry.lines) {
    const match = /^(\S+)(?:\s+(.*))?$/.exec(line.trim());
    if (match && match[1] === key) values.push((match[2] ?? '').trim());
  }
  return values;
}

export function blsValue(entry: BlsEntry, key: string): string | undefined {
  return blsValues(entry, key)[0];
}

/** The `options` text; upstream requires exactly one `options ` line. */
export function blsOptions(entry: BlsEntry): string {
  const found = entry.lines.filter((l) => l.startsWith('options '));
  if (found.length === 0) throw new UserError(`Couldn't locate 'options' line in ${entry.file}`);
  if (found.length > 1) throw new UserError(`Multiple 'options' lines found in ${entry.file}`);
  return found[0]!.slice('options '.length).trim();
}

/**
 * Upstream's rewrite: every line with trailing whitespace removed, `\n` endings, a final
 * newline, and the options line as `options <trimmed>`.
 */
export function withBlsOptions(entry: BlsEntry, options: string): string {
  blsOptions(entry); // validates there is exactly one options line
  const lines = entry.lines.map((l) => (l.startsWith('options ') ? `options ${options.trim()}` : l.trimEnd()));
  return lines.join('\n') + '\n';
}

/** Entries sorted by path, as upstream; the last one is the default deployment's. */
export async function readBlsEntries(bootDir: string): Promise<BlsEntry[]> {
  const dir = blsEntriesDir(bootDir);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.conf'));
  } catch (err) {
    throw new UserError(`Found no BLS entries in ${dir}`, { cause: err });
  }
  names.sort();
  const entries: BlsEntry[] = [];
  for (const name of names) {
    const file = join(dir, name);
    entries.push(parseBlsEntry(file, await readFile(file, 'utf8')));
  }
  return entries;
}

/** The entry upstream edits: the last by path. */
export async function readDefaultBlsEntry(bootDir: string): Promise<BlsEntry> {
  const entries = await readBlsEntries(bootDir);
  const last = entries[entries.length - 1];
  if (!last) throw new UserError(`Found no BLS entries in ${blsEntriesDir(bootDir)}`);
  return last;
}
