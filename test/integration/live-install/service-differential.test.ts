/**
 * The live service against upstream's service script, differentially: for each kernel command
 * line (both prefixes) the table writes out the `install` arguments upstream's
 * coreos-installer-service (or nestos-installer's copy) builds. Checked: the service builds
 * exactly those arguments, and `install-service --dry-run --json` states the same effective
 * install (`options`) as `install <those arguments> --dry-run --json` — or fails the same way.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli, type CliResult } from '../../helpers/cli.js';
import { IMAGES_DIR } from '../../helpers/paths.js';
import { serveDirectory } from '../../helpers/static-server.js';
import { serviceArgs } from '../../../src/live/service-args.js';

const dir = mkdtempSync(join(tmpdir(), 'service-diff-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A dry run plans against real inputs: the sample image (and its signature) served on
// 127.0.0.1 under the names the rows use, the sample key trusted through the system keys dir.
const SAMPLE = join(IMAGES_DIR, 'nestos-sample-metal.x86_64.raw.xz');
const served = join(dir, 'served');
mkdirSync(served);
for (const name of ['nestos.x86_64.raw.xz', 'a.raw.xz']) {
  copyFileSync(SAMPLE, join(served, name));
  copyFileSync(`${SAMPLE}.sig`, join(served, `${name}.sig`));
}
const server = await serveDirectory(served);
after(() => server.close());
const keysDir = join(dir, 'keys.d');
mkdirSync(keysDir);
copyFileSync(join(IMAGES_DIR, 'sample-signing-key.pub.asc'), join(keysDir, 'sample.asc'));
const ENV = { NESTOS_INSTALLER_KEYS_DIR: keysDir };

const DISK = join(dir, 'disk.img');
const IMAGE = join(dir, 'local.raw.xz');
const URL = `${server.baseUrl}/nestos.x86_64.raw.xz`;
const IGN = `${server.baseUrl}/config.ign`;
copyFileSync(SAMPLE, IMAGE);
copyFileSync(`${SAMPLE}.sig`, `${IMAGE}.sig`);
// An existing (sparse) disk image: a dry run plans against a real target.
writeFileSync(DISK, '');
truncateSync(DISK, 4 * 1024 ** 3);

interface Row {
  name: string;
  flavor: 'nestos' | 'coreos';
  cmdline: string;
  /** installer.d files (name → YAML), listed in name order. */
  configs?: Record<string, string>;
  /** What upstream's script passes to `install` (config paths as `@name`). */
  args: string[];
  /** Both sides fail the same way: exit status and the error record. */
  fails?: { code: number; error: RegExp };
}

const ROWS: Row[] = [
  {
    name: 'CoreOS kargs: URL image, http Ignition, platform, insecure, network kargs',
    flavor: 'coreos',
    cmdline:
      `BOOT_IMAGE=/images/pxeboot/vmlinuz coreos.inst.install_dev=${DISK} coreos.inst.image_url=${URL} coreos.inst.ignition_url=${IGN} ` +
      'coreos.inst.platform_id=qemu coreos.inst.insecure ip=dhcp nameserver=192.0.2.1 coreos.live.rootfs_url=http://x/r.img',
    args: [
      DISK,
      '--image-url',
      URL,
      '--platform',
      'qemu',
      '--ignition-url',
      IGN,
      '--insecure-ignition',
      '--insecure',
      '--firstboot-args',
      'rd.neednet=1 ip=dhcp nameserver=192.0.2.1 ',
      '--fetch-retries',
      'infinite',
    ],
  },
  {
    name: 'NestOS kargs only (coreos.inst.* ignored): saved partitions, bare network kargs, persist-IP switches',
    flavor: 'nestos',
    cmdline:
      `nestos.inst.install_dev=${DISK} coreos.inst.install_dev=/dev/ignored nestos.inst.image_url=${URL} ` +
      'nestos.inst.save_partlabel=data,var* nestos.inst.save_partindex=5- rd.bootif=0 BOOTIF=01-52-54-00-12-34-56 ipv6.disable=1 ' +
      'net.naming-scheme=rhel-9.0 rd.net.timeout.carrier=5 nestos.no_persist_ip nestos.force_persist_ip quiet',
    args: [
      DISK,
      '--image-url',
      URL,
      '--save-partlabel',
      'data,var*',
      '--save-partindex',
      '5-',
      '--firstboot-args',
      'rd.neednet=1 rd.bootif=0 BOOTIF=01-52-54-00-12-34-56 ipv6.disable=1 net.naming-scheme=rhel-9.0 rd.net.timeout.carrier=5 nestos.no_persist_ip nestos.force_persist_ip ',
      '--fetch-retries',
      'infinite',
    ],
  },
  {
    name: 'NestOS: device without /dev/, insecure=off, ignition_url=skip, s390x kargs appended',
    flavor: 'nestos',
    cmdline:
      `nestos.inst.install_dev=nestos-difftest-absent nestos.inst.insecure=off nestos.inst.ignition_url=skip nestos.inst.image_url=${URL} ` +
      'rd.dasd=0.0.0100 cio_ignore=all,!condev',
    args: [
      '/dev/nestos-difftest-absent',
      '--image-url',
      URL,
      '--append-karg',
      'rd.dasd=0.0.0100',
      '--append-karg',
      'cio_ignore=all,!condev',
      '--fetch-retries',
      'infinite',
    ],
    fails: { code: 1, error: /\/dev\/nestos-difftest-absent does not exist/ },
  },
  {
    name: 'CoreOS: the last occurrence of a karg wins; coreos.inst.insecure=0 is false',
    flavor: 'coreos',
    cmdline:
      `coreos.inst.install_dev=/dev/nestos-difftest-first coreos.inst.install_dev=${DISK} coreos.inst.image_url=${server.baseUrl}/a.raw.xz ` +
      `coreos.inst.image_url=${URL} coreos.inst.insecure=0`,
    args: [DISK, '--image-url', URL, '--fetch-retries', 'infinite'],
  },
  {
    name: 'CoreOS: installer.d configs come first; command-line kargs override their scalars and add to their lists',
    flavor: 'coreos',
    cmdline: `coreos.inst.install_dev=${DISK} coreos.inst.platform_id=gcp rd.znet=qeth,0.0.8000,0.0.8001,0.0.8002`,
    configs: {
      '10-base.yaml': `image-file: ${IMAGE}\nappend-karg: [c1]\nconsole: [ttyS0]\nplatform: metal\nfetch-retries: 3\n`,
      '20-more.yaml': 'append-karg: [c2]\ndelete-karg: [quiet]\ninsecure: true\n',
    },
    args: [
      '--config-file',
      '@10-base.yaml',
      '--config-file',
      '@20-more.yaml',
      DISK,
      '--platform',
      'gcp',
      '--append-karg',
      'rd.znet=qeth,0.0.8000,0.0.8001,0.0.8002',
      '--fetch-retries',
      'infinite',
    ],
  },
  {
    name: 'NestOS: installer.d alone (destination and source from the config)',
    flavor: 'nestos',
    cmdline: 'quiet',
    configs: {
      '00-only.yaml': `dest-device: ${DISK}\nimage-url: ${URL}\nignition-url: https://example.invalid/c.ign\n`,
    },
    args: ['--config-file', '@00-only.yaml', '--fetch-retries', 'infinite'],
  },
  {
    name: 'NestOS: a stream and an image URL conflict (usage error on both sides)',
    flavor: 'nestos',
    cmdline: `nestos.inst.install_dev=${DISK} nestos.inst.stream=stable nestos.inst.image_url=${URL}`,
    args: [DISK, '--image-url', URL, '--stream', 'stable', '--fetch-retries', 'infinite'],
    fails: { code: 2, error: /"kind":"usage".*'--image-url <URL>' cannot be used with '--stream <name>'/ },
  },
];

function resultOf(r: CliResult): Record<string, unknown> | undefined {
  for (const line of r.stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line) as Record<string, unknown>;
    if (record['type'] === 'result') return record;
  }
  return undefined;
}

ROWS.forEach((row, i) => {
  test(`live service = upstream script arguments: ${row.name}`, async () => {
    const configDir = join(dir, `installer-${i}.d`);
    mkdirSync(configDir);
    const configPaths = Object.keys(row.configs ?? {})
      .sort()
      .map((name) => {
        writeFileSync(join(configDir, name), row.configs![name]!);
        return join(configDir, name);
      });
    const expected = row.args.map((a) => (a.startsWith('@') ? join(configDir, a.slice(1)) : a));
    assert.deepEqual(serviceArgs(row.cmdline, configPaths, row.flavor).args, expected, 'the arguments upstream builds');

    const cmdline = join(dir, `cmdline-${i}`);
    writeFileSync(cmdline, `${row.cmdline}\n`);
    const service = await runCli(
      [
        'install-service',
        '--flavor',
        row.flavor,
        '--cmdline',
        cmdline,
        '--config-dir',
        configDir,
        '--image-dir',
        join(dir, 'no-media'),
        '--dry-run',
        '--json',
      ],
      { env: ENV },
    );
    const direct = await runCli(['install', '--flavor', row.flavor, ...expected, '--dry-run', '--json'], { env: ENV });
    assert.equal(
      service.code,
      direct.code,
      `exit status\n--- service:\n${service.stderr}\n--- install:\n${direct.stderr}`,
    );
    if (direct.code !== 0) {
      const error = (r: CliResult) => r.stderr.split('\n').find((l) => l.startsWith('{"type":"error"'));
      assert.equal(error(service), error(direct));
      assert.ok(row.fails, `unexpected failure:\n${direct.stderr}`);
      assert.equal(direct.code, row.fails.code, direct.stderr);
      assert.match(error(direct) ?? '', row.fails.error);
      return;
    }
    assert.equal(row.fails, undefined, 'expected a failure');
    const fromService = resultOf(service);
    const fromInstall = resultOf(direct);
    assert.ok(fromService && fromInstall, `${service.stderr}\n${direct.stderr}`);
    assert.deepEqual(fromService['options'], fromInstall['options']);
    assert.deepEqual(fromService['plan'], fromInstall['plan']);
    assert.equal((fromService['options'] as Record<string, unknown>)['fetch-retries'], 'infinite');
  });
});

test("the effective options of the config row are upstream's merge, in config-file form", async () => {
  const configDir = join(dir, 'installer-4.d');
  const cmdline = join(dir, 'cmdline-4');
  const r = await runCli(
    ['install-service', '--flavor', 'coreos', '--cmdline', cmdline, '--config-dir', configDir, '--dry-run', '--json'],
    { env: ENV },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(resultOf(r)?.['options'], {
    'image-file': IMAGE,
    platform: 'gcp',
    console: ['ttyS0,9600n8'],
    'append-karg': ['c1', 'c2', 'rd.znet=qeth,0.0.8000,0.0.8001,0.0.8002'],
    'delete-karg': ['quiet'],
    insecure: true,
    'fetch-retries': 'infinite',
    'dest-device': DISK,
  });
  assert.match(
    r.stderr,
    new RegExp(
      `"Running with arguments: --image-file ${IMAGE} --platform gcp --console ttyS0,9600n8 --append-karg c1 ` +
        `--append-karg c2 --append-karg rd.znet=qeth,0.0.8000,0.0.8001,0.0.8002 --delete-karg quiet --insecure --fetch-retries infinite ${DISK}"`,
    ),
  );
});
