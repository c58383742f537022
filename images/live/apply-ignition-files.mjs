// apply-ignition-files.mjs CONFIG: writes storage.files entries with data: URL contents (what
// `iso customize` puts in the live Ignition config: installer.d configs, keyfiles) to the live
// root. A minimal stand-in for Ignition's files stage in the sample live environment.
import { readFileSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
for (const f of cfg?.storage?.files ?? []) {
  const src = f?.contents?.source;
  if (typeof f?.path !== 'string' || typeof src !== 'string' || !src.startsWith('data:')) continue;
  const comma = src.indexOf(',');
  const meta = src.slice(5, comma);
  let data = meta.endsWith(';base64')
    ? Buffer.from(src.slice(comma + 1), 'base64')
    : Buffer.from(decodeURIComponent(src.slice(comma + 1)), 'utf8');
  if (f.contents.compression === 'gzip') data = gunzipSync(data);
  mkdirSync(dirname(f.path), { recursive: true });
  writeFileSync(f.path, data);
  if (typeof f.mode === 'number') chmodSync(f.path, f.mode);
  process.stderr.write(`live: wrote ${f.path}\n`);
}
