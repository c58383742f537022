/**
 * `pxe customize -o OUT LIVE-INITRAMFS`: copies the live initramfs verbatim and appends one
 * xz(newc) archive with the generated live initrd (reference §2.4). File output is no-clobber.
 */
import { readFileSync, writeSync } from 'node:fs';
import { UserError, withContextSync } from '../errors.js';
import type { Reporter } from '../report.js';
import { readInitrd } from '../formats/initrd.js';
import { FeaturesSchema, parseJsonFile, type Features } from '../formats/iso-metadata.js';
import { writeNewc } from '../formats/cpio-newc.js';
import { xzCrc32 } from '../io/xz.js';
import { writeFileNoClobber } from '../io/atomic-output.js';
import { assertStdoutNotTerminal, writeStdout } from '../io/stdout-guard.js';
import { CONFIG_NAME, isNetworkPath } from '../iso/live-iso.js';
import { buildLiveInitrd, type CustomizeOptions } from '../iso/customize.js';

const STAMPS = ['etc/coreos-live-initramfs', 'etc/nestos-live-initramfs'];
const FEATURES = ['etc/nestos/features.json', 'etc/coreos/features.json'];

export interface PxeCustomizeOptions extends CustomizeOptions {
  input: string;
  output: string;
}

export async function pxeCustomize(o: PxeCustomizeOptions, reporter: Reporter): Promise<void> {
  if (o.output === '-') assertStdoutNotTerminal();
  const original = withContextSync(() => readFileSync(o.input), `reading ${o.input}`);
  const interesting = (p: string) => STAMPS.includes(p) || FEATURES.includes(p) || p === CONFIG_NAME || isNetworkPath(p);
  const found = withContextSync(() => readInitrd(original, interesting), `reading live initramfs ${o.input}`);
  if (!STAMPS.some((s) => found.has(s))) throw new UserError('not a CoreOS live initramfs image');
  if (found.has(CONFIG_NAME) || [...found.keys()].some(isNetworkPath)) throw new UserError('input is already customized');
  const featuresFile = FEATURES.map((f) => found.get(f)).find((b) => b !== undefined);
  const features: Features = featuresFile ? parseJsonFile(featuresFile, FeaturesSchema, 'features.json') : {};
  const flavor = found.has('etc/nestos-live-initramfs') ? 'nestos' : 'coreos';
  const built = buildLiveInitrd(o, features, flavor, reporter);
  const appended = xzCrc32(writeNewc(built.files));
  if (o.output === '-') {
    await writeStdout(original);
    await writeStdout(appended);
  } else {
    await writeFileNoClobber(o.output, (temp) => {
      writeSync(temp.fd, original);
      writeSync(temp.fd, appended);
    });
  }
  if (built.hasConfig) reporter.info('PXE configuration must include kernel arguments:\n\tignition.firstboot ignition.platform.id=metal');
  if (built.autoInstallMessage) reporter.info(built.autoInstallMessage);
}
