/**
 * `iso network embed|extract|remove`. Keyfiles are written under the image's flavour's
 * directory (`etc/nestos-firstboot-network/` or `etc/coreos-firstboot-network/`), which is the
 * one its live initramfs reads; both are recognised when reading or removing.
 */
import { UserError } from '../errors.js';
import { type Flavor, isInitrdNetworkPath as isNetworkPath } from '../flavor.js';
import { openLiveIso } from '../iso/live-iso.js';
import { editEmbeddedFiles } from '../iso/embed-edit.js';
import { emitNetworkFiles, readKeyfiles } from './network-files.js';

export async function isoNetworkEmbed(options: {
  iso: string;
  keyfiles: string[];
  force: boolean;
  output?: string;
  flavor: Flavor;
}): Promise<void> {
  await editEmbeddedFiles(options, (files, live) => {
    if (!live.features()['live-initrd-network'])
      throw new UserError('This OS image does not support customizing network settings.');
    const keyfiles = readKeyfiles(options.keyfiles);
    const existing = [...files.keys()].filter(isNetworkPath);
    if (existing.length > 0 && !options.force)
      throw new UserError('This ISO image already has embedded network settings; use -f to force.');
    for (const p of existing) files.delete(p);
    for (const [name, data] of keyfiles) files.set(live.networkDir() + name, data);
  });
}

export async function isoNetworkExtract(options: { iso: string; directory?: string; flavor: Flavor }): Promise<void> {
  const live = openLiveIso(options.iso, options.flavor);
  try {
    const files = new Map([...(await live.readInitrd()).entries()].filter(([p]) => isNetworkPath(p)));
    await emitNetworkFiles(files, options.directory);
  } finally {
    live.close();
  }
}

export async function isoNetworkRemove(options: { iso: string; output?: string; flavor: Flavor }): Promise<void> {
  await editEmbeddedFiles(options, (files) => {
    for (const p of [...files.keys()]) if (isNetworkPath(p)) files.delete(p);
  });
}
