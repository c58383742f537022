import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeFileNoClobber } from '../../../src/io/atomic-output.js';

const dir = mkdtempSync(join(tmpdir(), 'atomic-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('-o FILE style output: a patched copy appears whole, with no temp file left', async () => {
  const source = join(dir, 'in.iso');
  const data = randomBytes(1024 * 1024);
  writeFileSync(source, data);
  const target = join(dir, 'out.iso');
  await writeFileNoClobber(target, (temp) => void writeSync(temp.fd, Buffer.from('PATCH'), 0, 5, 4096), {
    copyOf: source,
  });
  const want = Buffer.from(data);
  want.write('PATCH', 4096);
  assert.equal(sha(readFileSync(target)), sha(want));
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.startsWith('.nestos-installer-temp-')),
    [],
  );
});

test('an existing target is never clobbered, and a failing fill leaves nothing', async () => {
  const source = join(dir, 'in2.iso');
  writeFileSync(source, randomBytes(4096));
  const target = join(dir, 'exists.iso');
  writeFileSync(target, 'keep me');
  await assert.rejects(
    writeFileNoClobber(target, () => undefined, { copyOf: source }),
    (err: Error) => {
      assert.match(err.message, /persisting output file/);
      assert.match(String((err.cause as Error).message), /exists; -o never overwrites/);
      assert.match(String(((err.cause as Error).cause as Error).message), /^File exists \(os error 17\)$/);
      return true;
    },
  );
  assert.equal(readFileSync(target, 'utf8'), 'keep me');
  await assert.rejects(
    writeFileNoClobber(
      join(dir, 'never.iso'),
      () => {
        throw new Error('validation failed');
      },
      { copyOf: source },
    ),
    /validation failed/,
  );
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.startsWith('.nestos-installer-temp-') || n === 'never.iso'),
    [],
  );
});
