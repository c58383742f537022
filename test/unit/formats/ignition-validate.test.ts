import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateIgnitionConfig } from '../../../src/formats/ignition/validate.js';

test('minimal config is valid', () => {
  const r = validateIgnitionConfig('{"ignition":{"version":"3.3.0"}}');
  assert.deepEqual(r.warnings, []);
});
test('relative path names the JSON path', () => {
  const cfg = { ignition: { version: '3.4.0' }, storage: { files: [{ path: 'etc/x' }] } };
  assert.throws(() => validateIgnitionConfig(JSON.stringify(cfg)), /\$\.storage\.files\[0\]\.path: path not absolute/);
});
test('bad version and syntax', () => {
  assert.throws(() => validateIgnitionConfig('{"ignition":{"version":"3.4"}}'), /couldn't parse/);
  assert.throws(() => validateIgnitionConfig('{"ignition":{"version":"3.9.0"}}'), /unsupported config version/);
  assert.throws(() => validateIgnitionConfig('{"ignitionVersion":1}'), /spec 2.x/);
  assert.throws(() => validateIgnitionConfig('{'), /invalid Ignition config/);
  assert.throws(() => validateIgnitionConfig(''), /empty/);
});
test('types are not coerced', () => {
  const cfg = { ignition: { version: '3.0.0' }, storage: { files: [{ path: '/x', mode: '420' }] } };
  assert.throws(() => validateIgnitionConfig(JSON.stringify(cfg)), /\$\.storage\.files\[0\]\.mode: expected an integer/);
});
test('unknown keys warn, duplicates and unit names fail', () => {
  const r = validateIgnitionConfig(JSON.stringify({ ignition: { version: '3.2.0' }, storage: { filsystems: [] } }));
  assert.deepEqual(r.warnings, ['$.storage.filsystems: unused key filsystems']);
  const dup = { ignition: { version: '3.2.0' }, storage: { files: [{ path: '/a' }], directories: [{ path: '/a' }] } };
  assert.throws(() => validateIgnitionConfig(JSON.stringify(dup)), /\$\.storage\.directories\[0\]: duplicate entry defined/);
  const unit = { ignition: { version: '3.2.0' }, systemd: { units: [{ name: 'foo' }] } };
  assert.throws(() => validateIgnitionConfig(JSON.stringify(unit)), /invalid systemd unit extension/);
  const src = { ignition: { version: '3.2.0' }, storage: { files: [{ path: '/a', contents: { source: 'file:///x' } }] } };
  assert.throws(() => validateIgnitionConfig(JSON.stringify(src)), /contents\.source: invalid url scheme/);
});
