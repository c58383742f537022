#!/usr/bin/env node
// Used by scripts/bench: the least a Node.js download can do, as a floor for `download`'s rows.
// GETs URL with node:http (no CLI, no verification, no progress) into FILE, then fsyncs it,
// as `download` does before it names a file. Usage: bench-http-floor.mjs URL FILE
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { get } from 'node:http';

const [url, path] = process.argv.slice(2);
if (!url || !path) {
  console.error('usage: bench-http-floor.mjs URL FILE');
  process.exit(2);
}
const fd = openSync(path, 'w');
get(url, (res) => {
  if (res.statusCode !== 200) {
    console.error(`bench-http-floor: HTTP ${res.statusCode}`);
    process.exit(1);
  }
  res.on('data', (chunk) => writeSync(fd, chunk));
  res.on('end', () => {
    fsyncSync(fd);
    closeSync(fd);
  });
}).on('error', (err) => {
  console.error(`bench-http-floor: ${err.message}`);
  process.exit(1);
});
