/** The hidden deprecated spellings iso embed/show/remove still work, with a notice, and are not in the help. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { buildFixtureIso } from '../../helpers/iso-fixture.js';

const CONFIG = '{"ignition":{"version":"3.3.0"}}';

test('hidden deprecated iso embed/show/remove still work, with a notice', async () => {
  const g = buildFixtureIso();
  const e = await runCli(['iso', 'embed', g.iso], { input: CONFIG });
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stderr, /deprecated/);
  const s = await runCli(['iso', 'show', g.iso]);
  assert.equal(s.stdout.toString(), CONFIG);
  assert.equal((await runCli(['iso', 'remove', g.iso])).code, 0);
  const help = await runCli(['iso', '--help']);
  assert.doesNotMatch(help.stdout.toString() + help.stderr, /iso embed <iso>/);
});
