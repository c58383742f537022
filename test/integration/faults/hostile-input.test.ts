/**
 * Hostile inputs to install not covered by the iso/pxe hostile tests: malformed YAML config
 * files, an invalid Ignition config, and malformed stream metadata. Each exits 1 with a message
 * naming the file / JSON path, before anything is written (a new file target never appears).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { createFaultWorld, type FaultWorld } from './fixture.js';

let w: FaultWorld;
let image: string;
before(async () => {
  w = await createFaultWorld();
  image = await w.signedFile('hostile.raw.xz', w.xz);
});
after(async () => {
  await w?.dispose();
});

/** Exit 1, stderr matching every pattern (each specific to the cause), and no target file. */
async function refused(args: string[], ...patterns: RegExp[]): Promise<void> {
  const target = join(mkdtempSync(join(w.dir, 'hostile-')), 'vm.img');
  const r = await runCli(['install', target, '--dest-size', '64M', ...args], { env: w.env });
  assert.equal(r.code, 1, r.stderr);
  for (const p of patterns) assert.match(r.stderr, p);
  assert.equal(existsSync(target), false, 'nothing written');
}

const file = (name: string, text: string) => {
  const p = join(w.dir, name);
  writeFileSync(p, text);
  return p;
};

test('config file with a YAML syntax error names the file and the position', async () => {
  await refused(
    ['-c', file('bad-syntax.yaml', 'image-file: [unclosed\n')],
    /Error: parsing config file \S*bad-syntax\.yaml\n\nCaused by:\n\s+0: .* at line \d+, column \d+/,
  );
});

test('config file that is not a mapping, or has a wrongly typed key, is refused', async () => {
  await refused(
    ['-c', file('list.yaml', '- a\n- b\n')],
    /parsing config file \S*list\.yaml\n\nCaused by:\n\s+0: .*expected object, received array/,
  );
  await refused(
    ['-c', file('typed.yaml', `image-file: ${image}\nappend-karg: {a: 1}\n`), '--trusted-key', w.pub],
    /Caused by:\n\s+0: append-karg: .*expected array, received object/,
  );
});

test('an invalid Ignition config names its JSON path and writes nothing', async () => {
  const ign = file('rel.ign', '{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"relative"}]}}');
  await refused(['-f', image, '--trusted-key', w.pub, '-i', ign], /\$\.storage\.files\[0\]\.path: path not absolute/);
  await refused(
    ['-f', image, '--trusted-key', w.pub, '-i', file('notjson.ign', '{"ignition": ')],
    /Error: parsing specified Ignition config\n\nCaused by:\n\s+0: Unexpected end of JSON input/,
  );
});

test('malformed stream metadata names the URL or JSON path and writes nothing', async () => {
  w.server.route('/streams/broken.json', { body: '{"stream": "broken", "architectures": ' });
  w.server.route('/streams/wrong.json', {
    body: JSON.stringify({
      stream: 'wrong',
      metadata: {},
      architectures: { x86_64: { artifacts: { metal: { formats: { 'raw.xz': { disk: { location: 42 } } } } } } },
    }),
  });
  await refused(
    ['-s', 'broken', '--stream-base-url', `${w.server.url}streams/`],
    /broken\.json/,
    /Unexpected end of JSON input/,
  );
  await refused(
    ['-s', 'wrong', '--stream-base-url', `${w.server.url}streams/`],
    /\$\.architectures\.x86_64\.artifacts\.metal\.formats\["raw\.xz"\]\.disk\.location: .*expected string/,
  );
});
