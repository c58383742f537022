/**
 * The ostree install's source, checked before the disk is touched: the repo answers, the ref
 * exists, and (unless --insecure) the commit it names carries a signature by a trusted key.
 * Only the commit object is fetched (`pull --commit-metadata-only`), into a scratch repo that
 * is removed afterwards; the deploy pulls the whole commit again, with the same verification.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { run } from '../exec/run.js';
import { addRemote, type RemoteOptions } from './sysroot.js';

export async function checkOstreeSource(remote: RemoteOptions, ref: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nestos-ostree-source-'));
  try {
    const repo = join(dir, 'repo');
    await run('ostree', ['init', `--repo=${repo}`, '--mode=archive']);
    await addRemote(repo, remote);
    await run('ostree', ['pull', `--repo=${repo}`, '--commit-metadata-only', remote.name, ref]).catch(
      (err: unknown) => {
        const fix = remote.insecure
          ? 'check the repo URL and the ref'
          : 'check the repo URL and the ref, and that the signing key is given with --trusted-key';
        throw new UserError(
          `ostree commit ${ref} from ${remote.url} could not be fetched and verified (${fix}); nothing was written`,
          {
            cause: err,
          },
        );
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
