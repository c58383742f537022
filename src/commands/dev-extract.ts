/**
 * `dev extract initrd [-C dir] [-v] initrd [glob…]`: the one place with path-traversal checks.
 * Members stream into a staging directory inside the target (so a 1 GiB member needs no 1 GiB
 * buffer); only once the whole initrd was read and every path checked are they moved into place,
 * so a bad path or a corrupt archive leaves nothing behind.
 */
import { dirname, join } from 'node:path';
import { closeSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { UserError, withContextSync } from '../errors.js';
import { FLAVORS, type Flavor } from '../flavor.js';
import { writeStdout } from '../io/stdout-guard.js';
import { inputChunks } from '../io/input-chunks.js';
import { globFilter } from '../formats/glob.js';
import { comparePaths } from '../initrd/cpio-newc.js';
import { scanInitrd, type EntrySink } from '../initrd/scan.js';

export function checkMemberPath(p: string): void {
  if (p.startsWith('/') || p.split('/').includes('..')) throw new UserError(`path ${p} contains path traversal`);
}

/** Member contents written to numbered files in a private directory; a later duplicate replaces. */
class Staging {
  private dir: string | undefined;
  private createdRoot: string | undefined;
  private count = 0;
  private openFd: number | undefined;
  readonly files = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly tempPrefix: string,
  ) {}

  open(name: string): EntrySink {
    if (this.dir === undefined) {
      this.createdRoot = withContextSync(() => mkdirSync(this.root, { recursive: true }), `creating ${this.root}`);
      this.dir = withContextSync(
        () => mkdtempSync(join(this.root, `.${this.tempPrefix}extract-`)),
        `creating a staging directory in ${this.root}`,
      );
    }
    const previous = this.files.get(name);
    if (previous !== undefined) unlinkSync(previous);
    const path = join(this.dir, String(this.count++));
    const fd = withContextSync(() => openSync(path, 'wx'), `writing ${path}`);
    this.openFd = fd;
    this.files.set(name, path);
    return {
      write: (chunk) => void withContextSync(() => writeSync(fd, chunk), `writing ${path}`),
      end: () => {
        this.openFd = undefined;
        closeSync(fd);
      },
    };
  }

  /** Removes the staging directory, and the target directory too when the extraction failed and we created it. */
  remove(failed: boolean): void {
    if (this.openFd !== undefined) closeSync(this.openFd);
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    if (failed && this.createdRoot !== undefined) rmSync(this.createdRoot, { recursive: true, force: true });
  }
}

export async function devExtractInitrd(options: {
  input?: string;
  directory?: string;
  verbose: boolean;
  globs: string[];
  flavor: Flavor;
}): Promise<void> {
  const root = options.directory ?? '.';
  const filter = globFilter(options.globs);
  const staging = new Staging(root, FLAVORS[options.flavor].tempPrefix);
  let failed = true;
  try {
    await scanInitrd(inputChunks(options.input, 'initrd'), ({ name }) => {
      if (!filter(name)) return undefined;
      checkMemberPath(name);
      return staging.open(name);
    });
    failed = false;
    for (const [p, staged] of [...staging.files].sort((a, b) => comparePaths(a[0], b[0]))) {
      const out = join(root, p);
      mkdirSync(dirname(out), { recursive: true });
      withContextSync(() => {
        closeSync(openSync(out, 'wx'));
        renameSync(staged, out);
      }, `writing ${out}`);
      if (options.verbose) await writeStdout(out + '\n');
    }
  } finally {
    staging.remove(failed);
  }
}
