/** Renders NetworkManager keyfiles (GKeyFile-style INI) and names them stably. */
import { createHash } from 'node:crypto';

export type KeyfileSection = [name: string, entries: Array<[key: string, value: string]>];

/**
 * `[section]` blocks separated by blank lines, keys in the given order. Values are validated
 * upstream (no newlines or stray `;`), so no escaping is needed.
 */
export function renderKeyfile(sections: KeyfileSection[]): string {
  return sections
    .map(([name, entries]) => [`[${name}]`, ...entries.map(([k, v]) => `${k}=${v}`)].join('\n') + '\n')
    .join('\n');
}

/** A keyfile string list: every item followed by `;` (as NetworkManager writes them). */
export const keyfileList = (items: readonly string[]): string => items.map((i) => `${i};`).join('');

/**
 * A name-based (version 5 style) UUID so a given interface always gets the same connection
 * UUID: generated keyfiles, and so customized images, are reproducible.
 */
export function connectionUuid(name: string): string {
  const h = createHash('sha1').update(`nestos-installer nmstate connection ${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
