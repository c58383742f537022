#!/usr/bin/env node
// bench-decode: stdin → nestos-installer's strict streaming decompressor → stdout.
// Used by scripts/bench to compare our decoders with `xz -dc`, `zcat` and `zstd -dc`.
// The compiled tree defaults to <repo>/dist; NESTOS_INSTALLER_DIST points elsewhere.
import { pipeline } from 'node:stream/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = process.env.NESTOS_INSTALLER_DIST ?? join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'dist');
const { createDecompressor } = await import(pathToFileURL(join(dist, 'src/decode/decompress.js')).href);
await pipeline(
  createReadStream('/dev/stdin', { highWaterMark: 1024 * 1024 }),
  createDecompressor(),
  createWriteStream('/dev/stdout', { highWaterMark: 1024 * 1024 }),
);
