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

test('causes already shown: text prints the outer message only, the JSON record keeps them all', async () => {
  const { errorRecord } = await import('../../src/errors.js');
  const cause = new UserError('writing /dev/loop3 at offset 1048576: Operation not permitted', {
    cause: new Error('EPERM: operation not permitted, write'),
  });
  const failed = new UserError('install failed', { cause, causesShown: true });
  assert.equal(formatErrorChain(failed), 'Error: install failed');
  assert.deepEqual(errorRecord(failed), {
    type: 'error',
    kind: 'runtime',
    message: 'install failed',
    causes: ['writing /dev/loop3 at offset 1048576: Operation not permitted', 'EPERM: operation not permitted, write'],
  });
});

test('a thrown non-Error cause prints as it is (a string) or in inspect notation (an object), not "[object Object]"', () => {
  const withText = new UserError('reading the stream', { cause: 'socket hang up' });
  assert.equal(formatErrorChain(withText), 'Error: reading the stream\n\nCaused by:\n    0: socket hang up');
  const withObject = new UserError('reading the stream', { cause: { code: 'EPIPE' } });
  assert.equal(formatErrorChain(withObject), "Error: reading the stream\n\nCaused by:\n    0: { code: 'EPIPE' }");
});
