/**
 * iso customize as upstream: `-f` alone leaves the live kargs as they are (only a
 * `--live-karg-*` option sets them, from the defaults); `--live-ignition` and `--dest-ignition`
 * repeat and every fragment is merged; `--dest-console` is normalised into the installer config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runCli } from '../../helpers/cli.js';
import { buildFixtureIso, DEFAULT_KARGS } from '../../helpers/iso-fixture.js';

interface DataSource {
  source: string;
  compression?: string;
}
interface LiveConfig {
  ignition: { config?: { merge: DataSource[] } };
  storage: { files: Array<{ path: string; contents: DataSource }> };
}

const decode = (r: DataSource) => gunzipSync(Buffer.from(r.source.replace(/^data:;base64,/, ''), 'base64')).toString();

async function ok(args: string[]): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, 0, `${args.join(' ')}\n${r.stderr}`);
  return r.stdout.toString();
}

test('iso customize -f without --live-karg-* keeps the current live kargs; with one, they start from the defaults', async () => {
  const f = buildFixtureIso({ flavor: 'nestos' });
  await ok(['iso', 'kargs', 'modify', '-a', 'operator.set=1', f.iso]);
  const ign = join(f.dir, 'live.ign');
  writeFileSync(ign, '{"ignition":{"version":"3.3.0"}}');
  await ok(['iso', 'customize', '-f', '--live-ignition', ign, f.iso]);
  assert.equal(await ok(['iso', 'kargs', 'show', f.iso]), `${DEFAULT_KARGS} operator.set=1\n`);
  await ok(['iso', 'customize', '-f', '--live-karg-append', 'live.x=1', f.iso]);
  assert.equal(await ok(['iso', 'kargs', 'show', f.iso]), `${DEFAULT_KARGS} live.x=1\n`);
});

test('--live-ignition and --dest-ignition repeat: each fragment is merged, none is lost', async () => {
  const f = buildFixtureIso({ flavor: 'nestos' });
  const frag = (name: string, user: string) => {
    const p = join(f.dir, name);
    writeFileSync(p, JSON.stringify({ ignition: { version: '3.3.0' }, passwd: { users: [{ name: user }] } }));
    return p;
  };
  await ok([
    'iso',
    'customize',
    '--live-ignition',
    frag('l1.ign', 'live1'),
    '--live-ignition',
    frag('l2.ign', 'live2'),
    '--dest-ignition',
    frag('d1.ign', 'dest1'),
    '--dest-ignition',
    frag('d2.ign', 'dest2'),
    '--dest-device',
    '/dev/vda',
    '--dest-console',
    'ttyS1',
    f.iso,
  ]);
  const config = JSON.parse(await ok(['iso', 'ignition', 'show', f.iso])) as LiveConfig;
  assert.deepEqual(
    config.ignition.config!.merge.map((r) => JSON.parse(decode(r)).passwd.users[0].name),
    ['live1', 'live2'],
  );
  const files = new Map(config.storage.files.map((x) => [x.path, x.contents]));
  const dest = JSON.parse(decode(files.get('/etc/nestos/dest.ign')!)) as {
    ignition: { version: string; config: { merge: DataSource[] } };
  };
  assert.equal(dest.ignition.version, '3.3.0');
  assert.deepEqual(
    dest.ignition.config.merge.map((r) => JSON.parse(decode(r)).passwd.users[0].name),
    ['dest1', 'dest2'],
  );
  const installer = decode(files.get('/etc/nestos/installer.d/0000-customize.yaml')!);
  assert.match(installer, /^console:\n {2}- ttyS1,9600n8$/m);
  assert.match(installer, /^ignition-file: \/etc\/nestos\/dest\.ign$/m);
});
