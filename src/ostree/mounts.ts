/**
 * Scoped mounts: every mount made through a MountStack is undone by releaseAll(), innermost
 * first, even after a failure. Lazy unmount is the last resort so a busy mount never leaks.
 */
import { mkdir } from 'node:fs/promises';
import { run } from '../exec/run.js';

export class MountStack {
  private readonly mounted: string[] = [];

  get active(): readonly string[] {
    return this.mounted;
  }

  async mount(
    source: string,
    target: string,
    options: { bind?: boolean; type?: string; ro?: boolean } = {},
  ): Promise<void> {
    await mkdir(target, { recursive: true });
    const args: string[] = [];
    if (options.bind) args.push('--bind');
    if (options.type) args.push('-t', options.type);
    if (options.ro) args.push('-o', 'ro');
    await run('mount', [...args, source, target]);
    this.mounted.push(target);
  }

  async unmount(target: string): Promise<void> {
    const i = this.mounted.lastIndexOf(target);
    if (i < 0) return;
    await run('umount', [target]);
    this.mounted.splice(i, 1);
  }

  /** Unmounts everything; returns the errors it had to work around. */
  async releaseAll(): Promise<string[]> {
    const problems: string[] = [];
    while (this.mounted.length > 0) {
      const target = this.mounted.pop()!;
      try {
        await run('umount', [target]);
      } catch (err) {
        problems.push(`${target}: ${(err as Error).message}`);
        // Best-effort: a lazy unmount after a failed one.
        await run('umount', ['--lazy', target]).catch(() => undefined);
      }
    }
    return problems;
  }
}
