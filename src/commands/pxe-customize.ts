/**
 * `pxe customize -o OUT LIVE-INITRAMFS`: copies the live initramfs verbatim and appends one
 * xz(newc) archive with the generated live initrd. File output is no-clobber.
 */
import { writeSync } from 'node:fs';
import { UserError, withContext } from '../errors.js';
import { FLAVOR_NAMES, FLAVORS, type Flavor, isInitrdNetworkPath as isNetworkPath, mediaFlavor } from '../flavor.js';
import type { Reporter } from '../report.js';
import { collectInitrd } from '../initrd/collect.js';
import { inputChunks } from '../io/input-chunks.js';
import { FeaturesSchema, parseJsonFile, type Features } from '../iso/metadata.js';
import { writeNewc } from '../initrd/cpio-newc.js';
import { xzCrc32 } from '../initrd/xz-encoder.js';
import { writeFileNoClobber } from '../io/atomic-output.js';
import { assertStdoutNotTerminal, writeStdout } from '../io/stdout-guard.js';
import { CONFIG_NAME } from '../iso/live-iso.js';
import { buildLiveInitrd, type CustomizeOptions } from '../iso/customize.js';

const STAMPS = FLAVOR_NAMES.map((f) => FLAVORS[f].liveInitramfsStamp);
const FEATURES = FLAVOR_NAMES.map((f) => FLAVORS[f].initrdFeatures);

export interface PxeCustomizeOptions extends CustomizeOptions {
  input: string;
  output: string;
  flavor: Flavor;
}

export async function pxeCustomize(options: PxeCustomizeOptions, reporter: Reporter): Promise<void> {
  if (options.output === '-') assertStdoutNotTerminal();
  // The live initramfs (100+ MiB) is streamed twice: scanned for the few files that matter
  // (contents of other files are skipped), then copied verbatim to the output.
  const interesting = (p: string) =>
    STAMPS.includes(p) || FEATURES.includes(p) || p === CONFIG_NAME || isNetworkPath(p);
  const found = await withContext(
    collectInitrd(inputChunks(options.input, 'file'), interesting),
    `reading live initramfs ${options.input}`,
  );
  if (!STAMPS.some((s) => found.has(s))) throw new UserError('not a CoreOS live initramfs image');
  if (found.has(CONFIG_NAME) || [...found.keys()].some(isNetworkPath))
    throw new UserError('input is already customized');
  // The initramfs's flavour: the one whose stamp it carries (the selected one when both).
  const flavor = mediaFlavor(options.flavor, (f) => found.has(FLAVORS[f].liveInitramfsStamp));
  const featuresFile = found.get(FLAVORS[flavor].initrdFeatures);
  const features: Features = featuresFile ? parseJsonFile(featuresFile, FeaturesSchema, 'features.json') : {};
  const built = buildLiveInitrd(options, features, flavor, reporter);
  const appended = xzCrc32(writeNewc(built.files));
  if (options.output === '-') {
    // Copied: stdout may still hold a written chunk after the read buffers move on.
    for await (const chunk of inputChunks(options.input, 'file')) await writeStdout(Buffer.from(chunk));
    await writeStdout(appended);
  } else {
    await writeFileNoClobber(options.output, async (temp) => {
      // Written synchronously, so the read buffers can be reused.
      for await (const chunk of inputChunks(options.input, 'file')) writeSync(temp.fd, chunk);
      writeSync(temp.fd, appended);
    });
  }
  if (built.hasConfig)
    reporter.info('PXE configuration must include kernel arguments:\n\tignition.firstboot ignition.platform.id=metal');
  if (built.autoInstallMessage) reporter.info(built.autoInstallMessage);
}
