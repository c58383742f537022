/**
 * Upstream's deliberately naive kernel-argument editor, used by `iso kargs
 * modify`, `--live-karg-*` and install's BLS options editing. Phases always run in the order
 * delete → append → replace, whatever the command-line order.
 */
import { UserError } from '../errors.js';

export interface KargEdits {
  delete?: string[];
  append?: string[];
  replace?: string[];
}

const REPLACE_RE = /^([^=]+)=([^=]+)=([^=]+)$/;

/** Replaces every non-overlapping occurrence, scanning left to right (like Rust's str::replace). */
function replaceAll(haystack: string, needle: string, replacement: string): string {
  return haystack.split(needle).join(replacement);
}

export function editKargs(current: string, edits: KargEdits): string {
  let kargs = ` ${current} `;
  for (const d of edits.delete ?? []) kargs = replaceAll(kargs, ` ${d} `, ' ');
  for (const a of edits.append ?? []) kargs += `${a} `;
  for (const r of edits.replace ?? []) {
    const m = REPLACE_RE.exec(r);
    if (!m) throw new UserError('Wrong input, format should be: KEY=OLD=NEW');
    kargs = replaceAll(kargs, ` ${m[1]}=${m[2]} `, ` ${m[1]}=${m[3]} `);
  }
  return kargs.trim();
}
