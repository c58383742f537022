/** `pxe ignition wrap|unwrap` and `pxe network wrap|unwrap`. */
import { closeSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createTempNextTo } from '../io/atomic-output.js';
import { UserError, withContextSync } from '../errors.js';
import { FLAVORS, type Flavor, isInitrdNetworkPath } from '../flavor.js';
import type { Reporter } from '../report.js';
import { assertStdoutNotTerminal, writeStdout } from '../io/stdout-guard.js';
import { xzCrc32 } from '../initrd/xz-encoder.js';
import { writeNewc } from '../initrd/cpio-newc.js';
import { collectInitrd } from '../initrd/collect.js';
import { inputChunks } from '../io/input-chunks.js';
import { CONFIG_NAME } from '../iso/live-iso.js';
import { readIgnitionConfig } from './ignition-input.js';
import { emitNetworkFiles, readKeyfiles } from './network-files.js';

/**
 * With -o an existing file is replaced (upstream), but through a temp file + rename so a failed
 * write (e.g. ENOSPC) never leaves a partial archive; else stdout, never a terminal.
 */
async function emit(data: Buffer, output: string | undefined): Promise<void> {
  if (output !== undefined && output !== '-') {
    withContextSync(() => {
      const temp = createTempNextTo(output);
      let open = true;
      try {
        writeFileSync(temp.fd, data);
        closeSync(temp.fd);
        open = false;
        renameSync(temp.path, output);
      } catch (err) {
        if (open) closeSync(temp.fd);
        try {
          unlinkSync(temp.path);
        } catch {
          /* already gone */
        }
        throw err;
      }
    }, `writing ${output}`);
    return;
  }
  assertStdoutNotTerminal();
  await writeStdout(data);
}

export function wrapFiles(files: Map<string, Buffer>): Buffer {
  return xzCrc32(writeNewc(files));
}

export async function pxeIgnitionWrap(
  options: { ignition?: string; output?: string; noValidate: boolean },
  reporter: Reporter,
): Promise<void> {
  if (options.output === undefined || options.output === '-') assertStdoutNotTerminal();
  const config = await readIgnitionConfig(options.ignition, options.noValidate, reporter);
  await emit(wrapFiles(new Map([[CONFIG_NAME, config]])), options.output);
}

export async function pxeIgnitionUnwrap(options: { input?: string }): Promise<void> {
  const config = (await collectInitrd(inputChunks(options.input, 'initrd'), (p) => p === CONFIG_NAME)).get(CONFIG_NAME);
  if (!config) throw new UserError("couldn't find Ignition config in archive");
  await writeStdout(config);
}

/** Keyfiles under the flavour's directory: a NestOS live initramfs reads only its own. */
export async function pxeNetworkWrap(options: { keyfiles: string[]; output?: string; flavor: Flavor }): Promise<void> {
  if (options.output === undefined || options.output === '-') assertStdoutNotTerminal();
  const dir = FLAVORS[options.flavor].initrdNetworkDir;
  const files = new Map([...readKeyfiles(options.keyfiles)].map(([name, data]) => [dir + name, data] as const));
  await emit(wrapFiles(files), options.output);
}

export async function pxeNetworkUnwrap(options: { input?: string; directory?: string }): Promise<void> {
  await emitNetworkFiles(
    await collectInitrd(inputChunks(options.input, 'initrd'), isInitrdNetworkPath),
    options.directory,
  );
}
