import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateIgnitionConfig } from '../../../../src/formats/ignition/validate.js';

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
  for (const v of ['4.0.0', '3.4.1', '3.6.0-experimental', '2.3.0']) {
    assert.throws(
      () => validateIgnitionConfig(`{"ignition":{"version":"${v}"}}`),
      /unsupported config version|spec 2\.x/,
      v,
    );
  }
  assert.throws(() => validateIgnitionConfig('{"ignitionVersion":1}'), /spec 2.x/);
  assert.throws(() => validateIgnitionConfig('{'), /invalid Ignition config/);
  assert.throws(() => validateIgnitionConfig(''), /empty/);
});
test('a 3.x spec newer than the newest known one warns and is validated as the newest known', () => {
  for (const v of ['3.7.0', '3.7.0-experimental', '3.6.1', '3.12.0']) {
    const r = validateIgnitionConfig(`{"ignition":{"version":"${v}"},"kernelArguments":{"shouldExist":["a"]}}`);
    assert.deepEqual(r.warnings, [
      `$.ignition.version: spec ${v} is newer than 3.6.0, the newest known here; validated as 3.6.0`,
    ]);
  }
  const bad = { ignition: { version: '3.7.0' }, storage: { files: [{ path: 'relative' }] } };
  assert.throws(() => validateIgnitionConfig(JSON.stringify(bad)), /\$\.storage\.files\[0\]\.path: path not absolute/);
});
test('types are not coerced', () => {
  const cfg = { ignition: { version: '3.0.0' }, storage: { files: [{ path: '/x', mode: '420' }] } };
  assert.throws(
    () => validateIgnitionConfig(JSON.stringify(cfg)),
    /\$\.storage\.files\[0\]\.mode: expected an integer/,
  );
});
test('unknown keys warn, duplicates and unit names fail', () => {
  const r = validateIgnitionConfig(JSON.stringify({ ignition: { version: '3.2.0' }, storage: { filsystems: [] } }));
  assert.deepEqual(r.warnings, ['$.storage.filsystems: unused key filsystems']);
  const dup = { ignition: { version: '3.2.0' }, storage: { files: [{ path: '/a' }], directories: [{ path: '/a' }] } };
  assert.throws(
    () => validateIgnitionConfig(JSON.stringify(dup)),
    /\$\.storage\.directories\[0\]: duplicate entry defined/,
  );
  const unit = { ignition: { version: '3.2.0' }, systemd: { units: [{ name: 'foo' }] } };
  assert.throws(() => validateIgnitionConfig(JSON.stringify(unit)), /invalid systemd unit extension/);
  const src = {
    ignition: { version: '3.2.0' },
    storage: { files: [{ path: '/a', contents: { source: 'file:///x' } }] },
  };
  assert.throws(() => validateIgnitionConfig(JSON.stringify(src)), /contents\.source: invalid url scheme/);
});
