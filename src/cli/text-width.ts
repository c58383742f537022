/**
 * Column width of a string, for yargs' help layout (cliui). The bundle uses this in place of the
 * `string-width` package, whose import builds Unicode-property regexes and an Intl.Segmenter
 * (a large share of the start-up cost of `--help`). Help text here is ASCII; other text counts one column per code
 * point, except controls and combining marks (zero).
 */
const ANSI_ESCAPE = /\u001B\[[0-9;?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)/g;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function isZeroWidth(codePoint: number): boolean {
  return (
    codePoint < 0x20 ||
    (codePoint >= 0x7f && codePoint < 0xa0) ||
    (codePoint >= 0x300 && codePoint < 0x370) ||
    codePoint === 0x200d
  );
}

export default function textWidth(text: unknown): number {
  if (typeof text !== 'string' || text.length === 0) return 0;
  const plain = text.includes('\u001B') ? text.replace(ANSI_ESCAPE, '') : text;
  if (PRINTABLE_ASCII.test(plain)) return plain.length;
  let width = 0;
  for (const ch of plain) if (!isZeroWidth(ch.codePointAt(0) ?? 0)) width++;
  return width;
}
