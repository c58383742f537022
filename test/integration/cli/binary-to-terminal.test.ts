/** Binary output (an ISO, an initrd archive) to a terminal is refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { MAIN_JS } from '../../helpers/paths.js';
import { buildFixtureIso } from '../../helpers/iso-fixture.js';

const f = buildFixtureIso();

test('binary output to a terminal is refused', (t) => {
  const script = spawnSync('which', ['script']);
  if (script.status !== 0) {
    t.skip('script(1) not available to provide a terminal');
    return;
  }
  for (const cmd of [`iso ignition embed -i /dev/null --no-validate -o - ${f.iso}`, 'pxe network wrap -k /dev/null']) {
    let out: string;
    try {
      out = execFileSync('script', ['-qec', `node ${MAIN_JS} ${cmd}`, '/dev/null'], { encoding: 'utf8' });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? '');
    }
    assert.match(out, /Refusing to write binary data to terminal/, cmd);
  }
});
