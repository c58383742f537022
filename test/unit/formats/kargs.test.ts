import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editKargs } from '../../../src/formats/kargs.js';

test('delete, append, replace in that order', () => {
  assert.equal(editKargs('a b=1 c', { append: ['d'], delete: ['c'], replace: ['b=1=2'] }), 'a b=2 d');
});
test('deleting adjacent duplicates is naive like upstream', () => {
  assert.equal(editKargs('a a a', { delete: ['a'] }), 'a');
});
test('replace needs KEY=OLD=NEW', () => {
  assert.throws(() => editKargs('a', { replace: ['x=y'] }), /Wrong input, format should be: KEY=OLD=NEW/);
});
test('replace of appended arg works because append runs first', () => {
  assert.equal(editKargs('', { append: ['x=1'], replace: ['x=1=2'] }), 'x=2');
});
