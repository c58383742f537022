/**
 * Kernel-argument editing, the ISO kargs embed area (encode → parse) and BLS `options`
 * rewriting: exact round trips, and no crash on arbitrary text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { editKargs } from '../../src/formats/kargs.js';
import { encodeKargsRegion, parseKargsRegion, type KargsRegion } from '../../src/iso/layout.js';
import { blsOptions, parseBlsEntry, withBlsOptions } from '../../src/boot/bls.js';
import { params, tolerant, TEST_TIMEOUT_MS } from './harness.js';

const karg = fc.stringMatching(/^[a-zA-Z0-9_.,:/=-]{1,20}$/);
const kargLine = fc.array(karg, { maxLength: 12 }).map((a) => a.join(' '));
const anyText = fc.string({ unit: 'binary', maxLength: 200 });

test('kargs: delete(append(x)) restores the line; replace rewrites KEY=OLD only', { timeout: TEST_TIMEOUT_MS }, () => {
  fc.assert(
    fc.property(kargLine, karg, (line, extra) => {
      fc.pre(!line.split(' ').includes(extra));
      const appended = editKargs(line, { append: [extra] });
      assert.equal(appended, line === '' ? extra : `${line} ${extra}`);
      assert.equal(editKargs(appended, { delete: [extra] }), line);
      const r = tolerant(() => editKargs(line, { replace: ['k=v=w'] }));
      if (r !== undefined && !line.split(' ').includes('k=v')) assert.equal(r, line);
    }),
    params(),
  );
});

test('kargs: arbitrary edits never crash (UserError only)', { timeout: TEST_TIMEOUT_MS }, () => {
  fc.assert(
    fc.property(
      anyText,
      fc.array(anyText, { maxLength: 3 }),
      fc.array(anyText, { maxLength: 3 }),
      fc.array(anyText, { maxLength: 3 }),
      (line, d, a, r) => {
        const out = tolerant(() => editKargs(line, { delete: d, append: a, replace: r }));
        if (out !== undefined) assert.equal(out, out.trim());
      },
    ),
    params(),
  );
});

const padEnd = fc.constantFrom(['#', '\n'], ['#', '\r'], [' ', '\n'], ['X', '\t'], ['\0', '\n']);

test(
  'kargs area: encode → parse is exact; too-long kargs are refused, never truncated',
  { timeout: TEST_TIMEOUT_MS },
  () => {
    fc.assert(
      fc.property(kargLine, padEnd, fc.integer({ min: 1, max: 400 }), (line, [pad, end], length) => {
        const region: KargsRegion = { offset: 0, length, pad, end, padGiven: true, endGiven: true };
        const bytes = tolerant(() => encodeKargsRegion(line, region));
        if (bytes === undefined) {
          assert.ok(Buffer.byteLength(line) + 1 > length, 'only kargs that do not fit may be refused');
          return;
        }
        assert.equal(bytes.length, length);
        assert.equal(parseKargsRegion(bytes, region), line);
      }),
      params(),
    );
  },
);

test('kargs area: parsing arbitrary region bytes never crashes', { timeout: TEST_TIMEOUT_MS }, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), padEnd, (bytes, [pad, end]) => {
      const text = parseKargsRegion(Buffer.from(bytes), { pad, end });
      assert.equal(text, text.trim());
    }),
    params(),
  );
});

const blsLine = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('title', 'version', 'linux', 'initrd', 'machine-id', 'aboot'),
      fc.stringMatching(/^[ -~]{0,40}$/),
    )
    .map(([k, v]) => `${k} ${v}`),
  fc.stringMatching(/^[ -~\t]{0,40}$/).filter((l) => !l.startsWith('options')),
);

test('BLS: options rewrite round-trips and touches only the options line', { timeout: TEST_TIMEOUT_MS }, () => {
  fc.assert(
    fc.property(fc.array(blsLine, { maxLength: 8 }), fc.nat(8), kargLine, kargLine, (lines, at, oldOpts, newOpts) => {
      const all = [...lines];
      all.splice(at % (all.length + 1), 0, `options ${oldOpts}`);
      const entry = parseBlsEntry('/boot/loader/entries/ostree-1.conf', all.join('\n') + '\n');
      assert.equal(blsOptions(entry), oldOpts.trim());
      const rewritten = withBlsOptions(entry, newOpts);
      assert.ok(rewritten.endsWith('\n'));
      const again = parseBlsEntry(entry.file, rewritten);
      assert.equal(blsOptions(again), newOpts.trim());
      // Every other line survives (only trailing whitespace is trimmed, as upstream).
      assert.deepEqual(
        again.lines.filter((l) => !l.startsWith('options ')),
        entry.lines.filter((l) => !l.startsWith('options ')).map((l) => l.trimEnd()),
      );
      // Idempotent: rewriting with the same options again changes nothing.
      assert.equal(withBlsOptions(again, newOpts), rewritten);
    }),
    params(),
  );
});

test('BLS: arbitrary entry text never crashes (UserError only)', { timeout: TEST_TIMEOUT_MS }, () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), kargLine, (text, opts) => {
      const entry = parseBlsEntry('/x.conf', text);
      tolerant(() => blsOptions(entry));
      tolerant(() => withBlsOptions(entry, opts));
    }),
    params(),
  );
});
