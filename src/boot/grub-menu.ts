/**
 * GRUB menus for GRUBs without the downstream `blscfg` module (Debian's, used by the sample
 * OS). The boot filesystem carries a static `grub/grub.cfg` (console block, first-boot
 * variable) that sources `/loader/grub.cfg`; that file holds one menuentry per BLS entry and
 * lives inside `loader.N/`, so it flips atomically with ostree's loader symlink. Whoever edits
 * BLS entries re-renders it with syncGrubMenu; ostree deploys re-render it through its grub2
 * hook (libexec/ostree-grub2-exec). Images whose GRUB has blscfg need none of this.
 */
import { access, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BlsEntry, blsOptions, blsValue, blsValues, readBlsEntries } from './bls.js';

/** First line of the static config; marks a boot fs whose menu is rendered from BLS. */
export const RENDERED_MENU_MARKER = '# nestos-installer: menu rendered from BLS entries into /loader/grub.cfg';

/** The static `grub/grub.cfg` of a boot filesystem whose GRUB lacks blscfg. */
export function staticGrubConfig(): string {
  return [
    RENDERED_MENU_MARKER,
    'set timeout=1',
    'set default=0',
    'function load_video { set gfxpayload=keep; }',
    '',
    '# CONSOLE-SETTINGS-START',
    'serial --unit=0 --speed=115200',
    'terminal_input serial console',
    'terminal_output serial console',
    '# CONSOLE-SETTINGS-END',
    '',
    'set ignition_firstboot=""',
    'if [ -f /ignition.firstboot ]; then',
    '  set ignition_network_kcmdline=""',
    '  source /ignition.firstboot',
    '  set ignition_firstboot="ignition.firstboot ${ignition_network_kcmdline}"',
    'fi',
    'source /loader/grub.cfg',
    '',
  ].join('\n');
}

function grubQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function entryVersion(entry: BlsEntry): number {
  const v = Number(blsValue(entry, 'version') ?? '0');
  return Number.isFinite(v) ? v : 0;
}

/** One menuentry per BLS entry, highest `version` first (the default deployment). */
export function renderGrubMenu(entries: readonly BlsEntry[]): string {
  const sorted = [...entries].sort((a, b) => entryVersion(b) - entryVersion(a));
  const out = ['# Generated from the BLS entries by nestos-installer; do not edit.', ''];
  sorted.forEach((entry, index) => {
    const title = blsValue(entry, 'title') ?? `entry ${index}`;
    const linux = blsValue(entry, 'linux');
    if (!linux) return;
    const initrds = blsValues(entry, 'initrd')
      .flatMap((v) => v.split(/\s+/))
      .filter(Boolean);
    out.push(
      `menuentry ${grubQuote(title)} --class gnu-linux --class os --unrestricted --id ${grubQuote(`ostree-${index}`)} {`,
    );
    out.push('  load_video');
    out.push('  insmod gzio');
    out.push('  insmod part_gpt');
    out.push('  insmod ext2');
    out.push('  search --no-floppy --label boot --set=root');
    // Options stay unquoted so GRUB expands $ignition_firstboot, as blscfg does.
    out.push(`  linux ${linux} ${blsOptions(entry)}`);
    if (initrds.length > 0) out.push(`  initrd ${initrds.join(' ')}`);
    out.push('}');
    out.push('');
  });
  return out.join('\n');
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** True when the boot fs uses a menu rendered from BLS (our static config is in place). */
export async function usesRenderedMenu(bootDir: string): Promise<boolean> {
  for (const cfg of ['grub/grub.cfg', 'grub2/grub.cfg']) {
    const path = join(bootDir, cfg);
    if (await exists(path)) {
      const text = await readFile(path, 'utf8');
      if (text.startsWith(RENDERED_MENU_MARKER)) return true;
    }
  }
  return false;
}

/**
 * Re-renders `/loader/grub.cfg` from the current BLS entries when the boot fs uses a rendered
 * menu; returns whether it did. Written to a temp file and renamed, so a crash leaves the old
 * menu intact.
 */
export async function syncGrubMenu(bootDir: string): Promise<boolean> {
  if (!(await usesRenderedMenu(bootDir))) return false;
  const entries = await readBlsEntries(bootDir);
  const target = join(bootDir, 'loader', 'grub.cfg');
  const temp = `${target}.tmp`;
  await writeFile(temp, renderGrubMenu(entries), { mode: 0o644 });
  await rename(temp, target);
  return true;
}
