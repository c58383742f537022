/** The install front door: config files read once and merged once, then image or ostree options. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { commandLineConfig, parseInstallWords } from '../../../src/cli/install.js';
import { errorChain } from '../../../src/errors.js';
import { resolveInstallRequest } from '../../../src/install/install-request.js';
import { createMemoryReporter } from '../../../src/report.js';

async function withFiles(files: Record<string, string>, body: (paths: string[]) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'front-door-'));
  try {
    const paths: string[] = [];
    for (const [name, text] of Object.entries(files)) {
      paths.push(join(dir, name));
      await writeFile(join(dir, name), text);
    }
    await body(paths);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const resolve = (words: string[], configFiles: string[], reporter = createMemoryReporter()) =>
  resolveInstallRequest(
    { commandLine: commandLineConfig(parseInstallWords(words)), configFiles, run: { dryRun: false, flavor: 'nestos' } },
    reporter,
  );

test('ostree keys in config files select the ostree mode, under the command line', async () => {
  await withFiles(
    {
      'a.yaml': 'ostree-repo: /srv/repo\nostree-ref: a/b\nostree-karg: [rw]\nplatform: metal\n',
      'b.yaml': 'ostree-karg: [quiet]\nplatform: qemu\ndest-device: /dev/vdb\n',
    },
    async (files) => {
      const request = await resolve(['--platform', 'aws', '--ostree-karg', 'console=ttyS0'], files);
      assert.equal(request.mode, 'ostree');
      if (request.mode !== 'ostree') return;
      assert.equal(request.options.repo, '/srv/repo');
      assert.deepEqual(request.options.kargs, ['rw', 'quiet', 'console=ttyS0']);
      assert.equal(request.options.platform, 'aws');
      assert.equal(request.options.device, '/dev/vdb');
    },
  );
});

test('the image mode gets typed options, and "Running with arguments:" lists the merged install once per value', async () => {
  await withFiles({ 'c.yaml': 'append-karg: [a]\nfetch-retries: infinite\nplatform: qemu\n' }, async (files) => {
    const reporter = createMemoryReporter();
    const request = await resolve(
      [
        '--platform',
        'gcp',
        '--append-karg',
        'b',
        '--no-validate',
        '--firstboot-args',
        'rd.neednet=1 ip=dhcp ',
        '/dev/vda',
      ],
      files,
      reporter,
    );
    assert.equal(request.mode, 'image');
    if (request.mode !== 'image') return;
    assert.equal(request.options.fetchRetries, Number.POSITIVE_INFINITY);
    assert.equal(request.options.noValidate, true);
    assert.equal(request.options.platform, 'gcp');
    assert.equal(request.options.firstbootArgs, 'rd.neednet=1 ip=dhcp ');
    assert.deepEqual(request.config, {
      platform: 'gcp',
      'append-karg': ['a', 'b'],
      'fetch-retries': 'infinite',
      'no-validate': true,
      'firstboot-args': 'rd.neednet=1 ip=dhcp ',
      'dest-device': '/dev/vda',
    });
    assert.deepEqual(reporter.lines, [
      'Running with arguments: --platform gcp --append-karg a --append-karg b --fetch-retries infinite --no-validate --firstboot-args rd.neednet=1 ip=dhcp  /dev/vda',
    ]);
  });
});

test('ostree-only options without --ostree-repo are usage errors', async () => {
  await assert.rejects(resolve(['--osname', 'x', '/dev/vda'], []), {
    name: 'UsageError',
    message: /'--osname <name>' requires '--ostree-repo <repo>'/,
  });
});

test('an ostree partition size beyond a safe integer is a usage error', async () => {
  await withFiles(
    { 'a.yaml': 'dest-device: /tmp/x.img\nostree-repo: /srv/repo\nostree-ref: a/b\nostree-root-size: 99999999999T\n' },
    async (files) => {
      await assert.rejects(resolve([], files), (err: unknown) =>
        errorChain(err).some((m) => m.startsWith("invalid value '99999999999T' for '--ostree-root-size'")),
      );
    },
  );
});
