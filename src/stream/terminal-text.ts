/**
 * Text from a feed or a server made safe to print: control characters (C0, DEL, C1), Unicode
 * format characters (bidirectional overrides, zero-width marks) and line/paragraph separators
 * are shown as `\u{…}` escapes instead of reaching the terminal, where they could move the
 * cursor, recolour, hide or reorder what an operator reads.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');

export function escapeControl(text: string): string {
  return text.replace(UNSAFE_ALL, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/** True when the text holds a character escapeControl would escape. */
export function hasControl(text: string): boolean {
  return UNSAFE.test(text);
}
