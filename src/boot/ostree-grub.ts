/**
 * How the GRUB menu follows ostree's BLS entries on a GRUB without `blscfg` (Debian's).
 *
 * Choice: `sysroot.bootloader=grub2` with `OSTREE_GRUB2_EXEC` pointing at the host-side
 * libexec/ostree-grub2-exec, which runs `ostree admin instutil grub2-generate`. This is ostree's
 * own mechanism: ostree writes `loader.N/grub.cfg` next to `loader.N/entries` on EVERY bootconfig
 * change (deploy, set-kargs, undeploy) before it flips the `loader` symlink, so the menu can never
 * disagree with the entries. The alternative (bootloader=none + our syncGrubMenu after each
 * deploy) leaves a later plain `ostree admin deploy` with a new loader.N that has no grub.cfg at
 * all: the static config's `source /loader/grub.cfg` would then find no menu, i.e. an unbootable
 * disk until someone re-renders. With grub2, a later deploy from a host must set OSTREE_GRUB2_EXEC
 * (ostreeGrubEnv()) — without it ostree runs grub-mkconfig chrooted in the deployment and the
 * deploy FAILS cleanly (old loader kept), which is safe; an OS that ships grub-mkconfig +
 * 15_ostree, or a GRUB with blscfg, needs nothing.
 *
 * The static grub/grub.cfg (grub-menu.ts staticGrubConfig) sources `/loader/grub.cfg`, and defines
 * `load_video`, which grub2-generate's entries call. Edits to BLS options by the first-boot step
 * are re-rendered by syncGrubMenu and are carried into the next deploy by ostree itself.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { shippedPath } from '../package-root.js';
import { staticGrubConfig } from './grub-menu.js';

/** libexec/ostree-grub2-exec in the installed tree; a missing one is an incomplete installation. */
export function ostreeGrub2ExecPath(): string {
  const path = shippedPath('libexec/ostree-grub2-exec');
  if (path === undefined) throw new UserError('libexec/ostree-grub2-exec is missing from the installer (reinstall it)');
  return path;
}

/** Environment for any `ostree admin` command that rewrites the boot config of such a sysroot. */
export function ostreeGrubEnv(): Record<string, string> {
  const env: Record<string, string> = { OSTREE_GRUB2_EXEC: ostreeGrub2ExecPath() };
  return env;
}

/** Writes the static grub/grub.cfg into the mounted boot fs (before the first deploy). */
export async function writeStaticGrubConfig(bootDir: string): Promise<void> {
  const dir = join(bootDir, 'grub');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'grub.cfg.tmp'), staticGrubConfig(), { mode: 0o644 });
  await rename(join(dir, 'grub.cfg.tmp'), join(dir, 'grub.cfg'));
}
