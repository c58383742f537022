import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError, formatErrorChain, withContext } from '../../src/errors.js';

test('error chain prints outermost first with numbered causes', async () => {
  const err = await withContext(Promise.reject(new Error('gpg verification failed')), 'writing image').catch((e) => e);
  const outer = new UserError('installing to /dev/loop3', { cause: err });
  assert.equal(
    formatErrorChain(outer),
    'Error: installing to /dev/loop3\n\nCaused by:\n    0: writing image\n    1: gpg verification failed',
  );
});

test('an error without causes prints one line', () => {
  assert.equal(formatErrorChain(new UserError('install failed')), 'Error: install failed');
});
