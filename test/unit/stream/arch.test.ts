/** download and install default to the same architecture: `uname -m`. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { defaultInstallOptions } from '../../../src/install/options.js';
import { defaultArch } from '../../../src/stream/arch.js';

test('the default architecture is uname -m for download and install alike', () => {
  const uname = execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim();
  assert.equal(defaultArch(), uname);
  assert.equal(defaultInstallOptions().architecture, uname);
});
