/** dev show iso: the volume descriptors and the directory records of an ISO, as JSON. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { buildFixtureIso } from '../../helpers/iso-fixture.js';

const f = buildFixtureIso();

test('dev show iso lists descriptors and records', async () => {
  const r = await runCli(['dev', 'show', 'iso', f.iso]);
  const j = JSON.parse(r.stdout.toString()) as {
    header: { descriptors: Array<{ type: string; volume_id?: string }> };
    records: string[];
  };
  assert.equal(j.header.descriptors[0]!.type, 'primary');
  assert.equal(j.header.descriptors[0]!.volume_id, 'NESTOS_FIXTURE');
  assert.ok(j.records.includes('COREOS/IGNINFO.JSO'));
  assert.ok(j.records.includes('IMAGES/PXEBOOT/VMLINUZ'));
});
