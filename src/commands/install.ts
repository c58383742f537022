/**
 * `install`: plan → act → verify → roll back.
 * Plan (src/install/plan.ts): everything knowable is checked before the target is opened for
 * writing; the dry run prints that plan. Act: the target is opened for writing (the very file
 * or device planned), the replayed source streams through verification and decompression into
 * the writer (first MiB withheld until the signature verified), then first-boot edits on the
 * boot filesystem; a file target must still be at its path at the end. Any failure (or
 * SIGINT/SIGTERM) takes the failure path (src/install/rollback.ts): only what this run wrote
 * is undone, and the run ends `install failed` with the error as its cause.
 */
import { createHash } from 'node:crypto';
import { UserError, interruptedError } from '../errors.js';
import { output } from '../exec/run.js';
import type { Reporter } from '../report.js';
import { type SavedPartitions, readSavedPartitions } from '../disk/saved-partitions.js';
import { blockName, wholeDiskOf } from '../disk/sysfs-block.js';
import { type Target, type TargetFacts, openTarget, readAt, syncTarget, targetPathChange } from '../disk/target.js';
import { rereadPartitions } from '../disk/partition-nodes.js';
import { closeHttp } from '../http/fetch.js';
import { warmDecoderThread } from '../decode/decoder-thread.js';
import { withBootFilesystem } from '../install/boot-fs.js';
import { type FirstBootPlan, needsBootEdits, prepareFirstBoot } from '../install/firstboot.js';
import type { InstallConfig } from '../install/install-config.js';
import type { InstallOptions } from '../install/options.js';
import { type InstallPlan, planInstall } from '../install/plan.js';
import { rollBack } from '../install/rollback.js';
import { trapSignals } from '../install/signals.js';
import { ImageWriter } from '../install/writer.js';

export interface InstallInput {
  options: InstallOptions;
  /** The same install in upstream's config-file form (install-config.ts), for the result. */
  config: InstallConfig;
}

export interface InstallResult {
  device: string;
  source: string;
  dryRun: boolean;
  /** Plan lines (dry run) — data for stdout. */
  plan: string[];
  savedPartitions: Array<{ index: number; name: string }>;
  bytesWritten?: number;
  ignitionSha256?: string;
  options: InstallConfig;
}

function describePlan(
  options: InstallOptions,
  facts: TargetFacts,
  sourceDesc: string,
  saved: SavedPartitions | undefined,
  plan: FirstBootPlan,
): string[] {
  const lines = [
    `source: ${sourceDesc}`,
    `signature: ${options.insecure ? 'verified if present (--insecure)' : 'required, verified against the trusted keys'}`,
    `target: ${facts.path} (${facts.kind === 'block' ? 'block device' : facts.exists ? 'existing file' : 'new file'}, ${facts.sectorSize}-byte sectors${facts.size ? `, ${facts.size} bytes` : ''})`,
    `partitions kept: ${saved ? saved.entries.map((e) => `${e.index} ("${e.name}")`).join(', ') : 'none'}`,
  ];
  const files: string[] = [];
  if (plan.ignition || options.ignitionUrl) files.push('ignition/config.ign');
  if (plan.platform || plan.consoles.length || plan.appendKargs.length || plan.deleteKargs.length)
    files.push('loader/entries/<last>.conf');
  if (plan.consoles.length || plan.platform) files.push('grub console block');
  if (plan.copyNetworkFrom) files.push(`firstboot-network/ from ${plan.copyNetworkFrom}`);
  if (plan.firstbootArgs) files.push('ignition.firstboot');
  lines.push(`files to write: ${files.length ? files.join(', ') : 'none'}`);
  if (plan.ignition)
    lines.push(
      `ignition: ${options.ignitionFile ?? options.ignitionUrl} (sha256 ${createHash('sha256').update(plan.ignition).digest('hex')})`,
    );
  else if (options.ignitionUrl)
    lines.push(
      `ignition: ${options.ignitionUrl} (fetched at install time${options.ignitionHash ? `, must match ${options.ignitionHash}` : ''})`,
    );
  if (plan.platform) lines.push(`platform: ${plan.platform}`);
  for (const c of plan.consoles) lines.push(`console: ${c}`);
  for (const k of plan.appendKargs) lines.push(`append karg: ${k}`);
  for (const k of plan.deleteKargs) lines.push(`delete karg: ${k}`);
  if (plan.firstbootArgs) lines.push(`first-boot kernel arguments: ${plan.firstbootArgs}`);
  if (plan.copyNetworkFrom) lines.push(`network config: from ${plan.copyNetworkFrom}`);
  return lines;
}

/** What the plan found about the image and a file target, after describePlan's lines. */
function describeFindings(plan: InstallPlan): string[] {
  const { head, imageSectorSize, imageSize, heldFile } = plan;
  const image = !head
    ? ['rebuilt from an osmet file', `${imageSize} bytes`, 'checked against its sha256 while writing']
    : [
        head.compression === 'none' ? 'uncompressed' : `${head.compression}-compressed`,
        imageSectorSize
          ? `${imageSectorSize}-byte sectors`
          : head.decided
            ? 'no GPT in the first MiB'
            : 'first MiB checked while writing',
        imageSize !== undefined ? `${imageSize} bytes` : 'size known once read',
      ];
  const lines = [`image: ${image.join(', ')}`];
  if (heldFile) lines.push(`target holds: ${heldFile.content} (locked for this run)`);
  return lines;
}

function savedList(saved: SavedPartitions | undefined): Array<{ index: number; name: string }> {
  return saved?.entries.map((e) => ({ index: e.index, name: e.name })) ?? [];
}

/** Warns about other filesystems labeled `boot`, on disks other than the target. */
async function warnOtherBootFilesystems(target: Target, reporter: Reporter): Promise<void> {
  if (target.kind !== 'block') return;
  const disk = await wholeDiskOf(await blockName(target.path));
  const text = await output('blkid', ['-t', 'LABEL=boot', '-o', 'device']).catch(() => '');
  const others: string[] = [];
  for (const dev of text.split('\n').filter(Boolean)) {
    if ((await wholeDiskOf(await blockName(dev))) !== disk) others.push(dev);
  }
  if (others.length === 0) return;
  reporter.warn('Note: detected other devices with a filesystem labeled `boot`:');
  for (const d of others) reporter.warn(`  - ${d}`);
  reporter.warn(
    'The installed OS may not work correctly if there are multiple boot filesystems.\nBefore rebooting, investigate whether these filesystems are needed and consider\nwiping them with `wipefs -a`.',
  );
}

export async function installCommand(input: InstallInput, reporter: Reporter): Promise<InstallResult> {
  try {
    return await install(input, reporter);
  } finally {
    // Nothing may keep the process alive after a failure or an interrupt (a spinner, a socket).
    reporter.close();
    await closeHttp();
  }
}

async function install(input: InstallInput, reporter: Reporter): Promise<InstallResult> {
  const o = input.options;
  // The image decoder's thread starts while the target and the source are checked, not after.
  if (!o.dryRun) warmDecoderThread();
  // SIGINT/SIGTERM while planning end the run with nothing written; once writing, they take the
  // failure path.
  const signals = trapSignals();
  try {
    const plan = await planUnlessInterrupted(planInstall(o, reporter, signals.signal), signals.signal);
    try {
      if (!o.dryRun) return await act(plan, input.config, reporter, signals.signal);
      const lines = [
        ...describePlan(o, plan.target, plan.source.description, plan.saved, plan.firstBoot),
        ...describeFindings(plan),
      ];
      reporter.result({
        dryRun: true,
        device: plan.dest,
        source: plan.source.description,
        plan: lines,
        options: input.config,
      });
      return {
        device: plan.dest,
        source: plan.source.description,
        dryRun: true,
        plan: lines,
        savedPartitions: savedList(plan.saved),
        options: input.config,
      };
    } finally {
      await plan.release();
    }
  } finally {
    signals.dispose();
  }
}

/**
 * The plan, or the interrupt as soon as it comes: a read the plan waits on (a stalled server)
 * must not hold the run. A plan that completes after the interrupt is released unused.
 */
function planUnlessInterrupted(planning: Promise<InstallPlan>, signal: AbortSignal): Promise<InstallPlan> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(interruptedError(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    planning.then(
      (plan) => {
        signal.removeEventListener('abort', onAbort);
        if (!signal.aborted) return resolve(plan);
        // Already rejected with the interrupt: only the plan's resources are left to free.
        void plan.release();
        onAbort();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? interruptedError(signal) : err);
      },
    );
  });
}

/** Under the exclusive open, the saved partitions must still be the ones planned. */
async function checkSavedUnchanged(target: Target, plan: InstallPlan): Promise<void> {
  if (plan.filters.length === 0 || target.created) return;
  const now = await readSavedPartitions((l, p) => readAt(target, l, p), {
    sectorSize: target.sectorSize,
    diskSize: target.size,
    filters: plan.filters,
  });
  const text = (saved: SavedPartitions | undefined) =>
    JSON.stringify(saved?.entries ?? [], (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    );
  if (text(now) !== text(plan.saved)) {
    throw new UserError(
      `the partition table of ${target.path} changed after it was read; check the disk and run the install again`,
    );
  }
}

async function act(
  plan: InstallPlan,
  config: InstallConfig,
  reporter: Reporter,
  signal: AbortSignal,
): Promise<InstallResult> {
  const options = plan.options;
  const target = await openTarget(plan.target, options.destSize);
  let bytesWritten = 0;
  try {
    try {
      await checkSavedUnchanged(target, plan);
      const image = await plan.openImage({ reporter, signal });
      const writer = new ImageWriter({ target, saved: plan.saved, reporter, signal });
      // A decoder may wrap what its reader threw: the writer's own error is the one to report.
      let writeFailure: unknown;
      const sink = (chunk: Buffer): Promise<void> | undefined => {
        try {
          return writer.consume(chunk)?.catch((err: unknown) => {
            writeFailure ??= err;
            throw err;
          });
        } catch (err) {
          writeFailure ??= err;
          throw err;
        }
      };
      await image.run(sink).catch(async (err: unknown) => {
        await writer.abandon();
        throw signal.aborted ? err : (writeFailure ?? err);
      });
      bytesWritten = (await writer.finish(() => image.verdict())).bytes;
      if (needsBootEdits(plan.firstBoot)) {
        await withBootFilesystem(target, (dir) => prepareFirstBoot(dir, plan.firstBoot, reporter));
      }
      if (signal.aborted) throw interruptedError(signal);
      await syncTarget(target);
      const change = target.kind === 'file' ? await targetPathChange(target) : undefined;
      if (change)
        throw new UserError(`${target.path} was ${change} during the install; the image written is not at that path`);
    } catch (err) {
      await rollBack(target, plan.saved, err, options, reporter);
    }
  } finally {
    // Closing after a failure; the first error is the one reported.
    await target.handle.close().catch(() => undefined);
    // Best effort after a failure; the first error is the one reported.
    if (target.kind === 'block' && target.wrote) await rereadPartitions(target.path).catch(() => undefined);
  }
  await warnOtherBootFilesystems(target, reporter);
  reporter.info('Install complete.');
  const result: InstallResult = {
    device: plan.dest,
    source: plan.source.description,
    dryRun: false,
    plan: [],
    savedPartitions: savedList(plan.saved),
    bytesWritten,
    ignitionSha256: plan.ignition ? createHash('sha256').update(plan.ignition).digest('hex') : undefined,
    options: config,
  };
  reporter.result({ ...result, plan: undefined });
  return result;
}
