/**
 * What an existing regular file holds, to decide whether it may be overwritten as a disk
 * image: empty, all zeros at the start, or a partition table (MBR/GPT) are disk-image-like;
 * anything else (a filesystem blkid recognises, text, compressed data, unknown bytes) is named,
 * so the refusal says what would have been destroyed.
 */
import { UserError } from '../errors.js';
import { run } from '../exec/run.js';
import { sniffCompression } from '../formats/compression.js';
import { GPT_SIGNATURE } from './gpt.js';

/** How much of the start is looked at (the placeholder the installer writes first is 1 MiB). */
export const HEAD_BYTES = 1024 * 1024;

export type FileContent =
  { writable: true; what: 'empty' | 'zeros' | 'partition table' } | { writable: false; found: string };

interface Signature {
  type: string;
  usage?: string;
}

/** A whole-file signature found by `blkid -p` (filesystem, RAID member, LUKS, swap, ...). */
async function blkidSignature(path: string): Promise<Signature | 'ambivalent' | undefined> {
  // Exit 2: nothing found; 8: more than one signature (ambivalent).
  const r = await run('blkid', ['-p', '-o', 'export', path], { okExitCodes: [2, 8] });
  if (r.exitCode === 8) return 'ambivalent';
  if (r.exitCode === 2) return undefined;
  const fields = new Map(
    r.stdout.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );
  const type = fields.get('TYPE');
  return type ? { type, usage: fields.get('USAGE') } : undefined;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

function hasPartitionTable(head: Buffer): boolean {
  const mbr = head.length >= 512 && head[510] === 0x55 && head[511] === 0xaa;
  const gpt = [512, 4096].some(
    (off) => head.length >= off + 8 && head.toString('latin1', off, off + 8) === GPT_SIGNATURE,
  );
  return mbr || gpt;
}

function looksLikeText(sample: Buffer): boolean {
  if (sample.length === 0) return false;
  for (const b of sample) {
    // Printable ASCII, tab/newline/CR/FF, ESC (coloured logs), and UTF-8 bytes.
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d && b !== 0x1b) return false;
    if (b === 0x7f) return false;
  }
  return true;
}

function describeUnknown(head: Buffer): string {
  if (looksLikeText(head.subarray(0, 4096))) return 'starts with text';
  const compression = sniffCompression(head);
  if (compression !== 'none') {
    return `starts with ${compression}-compressed data (an image to install? give it with -f and name the target disk)`;
  }
  const bytes = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `starts with data that is not a disk image (first bytes: ${bytes})`;
}

/** Classifies a file from its first bytes (`head`, up to HEAD_BYTES) and blkid's probe. */
export async function classifyFileContent(path: string, size: number, head: Buffer): Promise<FileContent> {
  if (size === 0) return { writable: true, what: 'empty' };
  const sig = await blkidSignature(path);
  if (sig === 'ambivalent')
    return { writable: false, found: 'contains more than one filesystem or RAID signature (blkid: ambivalent result)' };
  if (sig) {
    const kind =
      sig.usage === 'filesystem'
        ? 'filesystem'
        : sig.usage === 'raid'
          ? 'RAID member signature'
          : sig.usage === 'crypto'
            ? 'encrypted volume'
            : 'signature';
    return { writable: false, found: `contains ${article(sig.type)} ${sig.type} ${kind}` };
  }
  if (hasPartitionTable(head)) return { writable: true, what: 'partition table' };
  if (head.every((b) => b === 0)) return { writable: true, what: 'zeros' };
  return { writable: false, found: describeUnknown(head) };
}

/** The refusal for a file that does not look like a disk image. */
export function notADiskImageError(path: string, found: string): UserError {
  return new UserError(
    `refusing to install to ${path}: it ${found}; a file target must be empty, start with zeros, or already hold a disk image (MBR or GPT)`,
  );
}
