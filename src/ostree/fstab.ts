/**
 * `etc/fstab` of the deployment. Filesystems are named by label (as the sample kargs use
 * root=LABEL=root), so an image copied to another disk still mounts. /etc is writable in a
 * deployment and carried forward to later deploys by ostree's 3-way /etc merge.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FstabEntry {
  spec: string;
  file: string;
  type: string;
  options: string;
  dump: number;
  pass: number;
}

export const DEFAULT_FSTAB: FstabEntry[] = [
  { spec: 'LABEL=root', file: '/', type: 'ext4', options: 'defaults', dump: 1, pass: 1 },
  { spec: 'LABEL=boot', file: '/boot', type: 'ext4', options: 'defaults', dump: 1, pass: 2 },
  {
    spec: 'LABEL=EFI-SYSTEM',
    file: '/boot/efi',
    type: 'vfat',
    options: 'umask=0077,shortname=winnt,nofail',
    dump: 0,
    pass: 2,
  },
];

export function renderFstab(entries: readonly FstabEntry[]): string {
  const lines = ['# Created by nestos-installer (ostree install)'];
  for (const e of entries) lines.push([e.spec, e.file, e.type, e.options, e.dump, e.pass].join(' '));
  return lines.join('\n') + '\n';
}

export async function writeFstab(deployment: string, entries: readonly FstabEntry[] = DEFAULT_FSTAB): Promise<void> {
  const path = join(deployment, 'etc', 'fstab');
  await writeFile(`${path}.tmp`, renderFstab(entries), { mode: 0o644 });
  await rename(`${path}.tmp`, path);
}
