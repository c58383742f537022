/** download and install default to the same architecture: `uname -m`. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultInstallOptions } from '../../../src/install/options.js';
import { defaultArch } from '../../../src/stream/arch.js';
import { runTool } from '../../helpers/system-tool.js';

test('the default architecture is uname -m for download and install alike', () => {
  const uname = runTool('uname', ['-m']).toString().trim();
  assert.equal(defaultArch(), uname);
  assert.equal(defaultInstallOptions().architecture, uname);
});
