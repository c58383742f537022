/**
 * docs/troubleshooting.md quotes real messages: every message in its first table column must
 * be producible, i.e. each constant part of it (between `<placeholders>` and `...`) appears in
 * the source that prints it (src/), or comes from a tool or library named in EXTERNAL. A message
 * renamed or removed in src/ without the docs following fails here.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../helpers/paths.js';

/** Message parts printed by something other than src/: libraries, tools, the kernel. */
const EXTERNAL = [
  'Signed digest did not match', // openpgp.js
  'No such file or directory', // the OS (ENOENT)
  'Permission denied', // the OS (EACCES)
  'Input/output error', // the OS (EIO)
  'no space left on device', // the OS (ENOSPC)
  'connect ECONNREFUSED', // node:net
  'Invalid input', // zod
  'Unknown argument', // yargs
];

function sourceText(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) text += sourceText(path);
    else if (/\.(ts|sh)$/.test(entry.name)) text += readFileSync(path, 'utf8') + '\n';
  }
  return text;
}

/**
 * Messages put together from parts at run time (the doc quotes one instance): each names the
 * part the doc shows and the file that composes it.
 */
const COMPOSED = [
  'the file name is empty', // src/source/download-name.ts: `the file name ${why}`
  'contains an ext4 filesystem', // src/disk/file-content.ts: blkid's type and usage
  'starts with xz-compressed data', // src/disk/file-content.ts: `starts with ${compression}-compressed data`
  'was removed during the install; the image written is not at that path', // src/commands/install.ts: `was ${change} during …`
  'was replaced', // the same, the other change
  'exists and is not a regular file (a directory); remove it or download into another directory (-', // src/source/download-artifact.ts
  'reading xz index: no xz stream footer at the end of the file (truncated, or other data after the xz stream', // src/formats/xz-index.ts
  'body timeout: nothing received for', // src/http/node-get.ts: `${kind} timeout: …`
  'headers timeout: nothing received for', // the same
  'connect timeout: nothing received for', // the same
  'it starts with text', // src/disk/file-content.ts: `it ${why}`
  "couldn't find boot device for", // src/osmet/pack.ts: `couldn't find ${label} device for …`
  "couldn't find root device for", // the same
  "the file name '.xz' without its .xz suffix (-d) is empty", // src/source/download-name.ts
  'for the disk artifact: a feed fetched over http(s) may only list', // src/stream/metadata.ts: `for the ${what}: …`
  'is not supported by nestos-installer; convert the file', // src/network/nmstate-schema.ts: `…; ${GC_HINT}`
  'no Ignition config given: name the file with -i', // src/commands/input.ts: `no ${what} given: …`
  'in stream metadata (formats for', // src/stream/metadata.ts: `(${offered})`
  'decoding kargs.json: $.path', // zod issue paths after the file name
  'invalid Ignition config: $.path', // the same, for Ignition
  'zstd decoding failed', // src/decode/auto-decoder.ts and src/initrd/scan.ts: `${codec} decoding failed`
];

/** The backticked messages in the first column of every table row, before the fault matrix. */
function quotedMessages(markdown: string): string[] {
  const messages: string[] = [];
  for (const line of markdown.split('\n## Fault matrix')[0]!.split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| Message') || line.startsWith('|---')) continue;
    const first = line.split(' | ')[0]!;
    for (const m of first.matchAll(/`([^`]+)`/g)) messages.push(m[1]!);
  }
  return messages;
}

/** The constant parts of a quoted message: what is left between placeholders and ellipses. */
function constantParts(message: string): string[] {
  // Placeholders: <name>, ellipses, example numbers, upper-case stand-ins (N, X, NAME, HOST:PORT),
  // paths and URLs, and a leading `Caused by:` (the chain's framing, not the message).
  const placeholder =
    /\b\d+ (?:KiB|MiB|GiB|bytes)\b|<[^>]*>|\.\.\.|…|\(e\.g\.[^)]*\)|\b\d+s?\b|\bNs\b|\b[A-Z][A-Z_:]*\b(?![a-z])|\S*\/\S*|\{|\}|"/;
  return message
    .replace(/^Caused by:\s*/, '')
    .split(new RegExp(placeholder.source, 'g'))
    .map((part) => part.trim().replace(/^[:,;().'\s]+|[:,;().'\s]+$/g, ''))
    .filter((part) => part.length >= 8 && /[a-z]{3}/.test(part));
}

test('every message quoted in docs/troubleshooting.md can be produced', () => {
  // src/, and the sample live system's scripts (their messages reach the console and journal).
  const src = sourceText(join(REPO_ROOT, 'src')) + sourceText(join(REPO_ROOT, 'images'));
  const doc = readFileSync(join(REPO_ROOT, 'docs/troubleshooting.md'), 'utf8');
  const messages = quotedMessages(doc);
  assert.ok(messages.length > 50, `found only ${messages.length} quoted messages`);
  const missing: string[] = [];
  for (const message of messages) {
    for (const part of constantParts(message)) {
      if (!src.includes(part) && !EXTERNAL.some((e) => part.includes(e)) && !COMPOSED.includes(part))
        missing.push(`${part}   (in \`${message}\`)`);
    }
  }
  assert.deepEqual(
    missing,
    [],
    'quoted in docs/troubleshooting.md but printed nowhere in src/ — fix the doc or the message',
  );
});
