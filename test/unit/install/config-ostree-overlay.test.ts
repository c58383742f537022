import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigFileSchema, overlayConfigsOnArgv } from '../../../src/install/config-file.js';
import { isOstreeInstall, ostreeOptionsFrom } from '../../../src/cli/install-ostree-options.js';

test('ostree keys in config files reach the ostree mode, under the command line', () => {
  const first = ConfigFileSchema.parse({ 'ostree-repo': '/srv/repo', 'ostree-ref': 'a/b', 'ostree-karg': ['rw'], platform: 'metal' });
  const second = ConfigFileSchema.parse({ 'ostree-karg': ['quiet'], platform: 'qemu', 'dest-device': '/dev/vdb' });
  const argv = { platform: 'aws', 'ostree-karg': ['console=ttyS0'], 'config-file': ['a.yaml', 'b.yaml'] };
  const merged = overlayConfigsOnArgv([first, second], argv);
  assert.ok(isOstreeInstall(merged));
  const options = ostreeOptionsFrom(merged);
  assert.equal(options.repo, '/srv/repo');
  assert.deepEqual(options.kargs, ['rw', 'quiet', 'console=ttyS0']);
  assert.equal(options.platform, 'aws');
  assert.equal(merged.device, '/dev/vdb');
});

test('a device in a config file and on the command line is refused', () => {
  const cfg = ConfigFileSchema.parse({ 'dest-device': '/dev/vdb' });
  assert.throws(() => overlayConfigsOnArgv([cfg], { device: '/dev/vdc' }), /may be given only once/);
});

test('unknown config keys are still rejected', () => {
  assert.equal(ConfigFileSchema.safeParse({ 'ostree-repoo': 'x' }).success, false);
});
