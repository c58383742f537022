/** Initrd member globs follow the Rust glob crate: what it rejects is a usage error, not a literal. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import { globFilter } from '../../../src/formats/glob.js';

test('an unclosed [ in an initrd glob is a usage error naming the glob', () => {
  assert.throws(
    () => globFilter(['etc/[abc']),
    (err: unknown) => err instanceof UsageError && err.message === "couldn't parse glob 'etc/[abc'",
  );
});

test('*** and ** inside a path component are usage errors', () => {
  for (const g of ['etc/***', 'etc/a**']) {
    assert.throws(
      () => globFilter([g]),
      (err: unknown) => err instanceof UsageError && err.message.includes(`'${g}'`),
      g,
    );
  }
});

test('classes, negated classes and ** as a whole component match like the glob crate', () => {
  const f = globFilter(['etc/[ab]?', 'usr/[!x]', '**/z']);
  assert.ok(f('etc/aq'));
  assert.ok(!f('etc/cq'));
  assert.ok(f('usr/y'));
  assert.ok(!f('usr/x'));
  assert.ok(f('a/b/z'));
  assert.ok(!f('etc/a'));
});
