/**
 * `install`: plan → check → act → verify → roll back.
 * Plan: merge config files, load + hash-check + validate Ignition, parse partition filters,
 * inspect the target, resolve the image source. Check: target not busy, saved partitions
 * readable (dry run). Act: stream fetch → verify → decompress → write with the first MiB
 * withheld, then first-boot edits on the boot filesystem. Any failure (or SIGINT/SIGTERM):
 * the table is reset to the saved partitions only (unless --preserve-on-error), a file this run
 * created is removed, and the run ends `install failed`.
 */
import { unlink } from 'node:fs/promises';
import { UsageError, UserError, formatErrorChain, interruptedError } from '../errors.js';
import { output } from '../exec/run.js';
import type { Reporter } from '../report.js';
import { checkFileNotBusy, checkNotBusy } from '../disk/busy.js';
import { rereadPartitions } from '../disk/loop.js';
import { parsePartitionFilters } from '../disk/partition-filter.js';
import { type SavedPartitions, readSavedPartitions } from '../disk/saved-partitions.js';
import { type Target, type TargetFacts, inspectTarget, openTarget, readAt } from '../disk/target.js';
import { closeHttp } from '../http/fetch.js';
import { warmDecoderThread } from '../io/decoder-thread.js';
import { loadTrustedKeys } from '../io/verify.js';
import { resolveImageSource } from '../source/image-source.js';
import { openVerified } from '../source/verified-pump.js';
import { withBootFilesystem } from '../install/boot-fs.js';
import { mergeInstallOptions, readConfigFile } from '../install/config-file.js';
import { parseConsole } from '../install/console.js';
import { type FirstBootPlan, needsBootEdits, prepareFirstBoot } from '../install/firstboot.js';
import { checkIgnitionUrl, loadIgnition, parseIgnitionHash } from '../install/ignition.js';
import type { InstallOptions } from '../install/options.js';
import { trapSignals } from '../install/signals.js';
import { ImageWriter, resetPartitionTable } from '../install/writer.js';

export interface InstallInput {
  options: InstallOptions;
  configFiles: string[];
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
}

function formatFor(sectorSize: number, dest: string, reporter: Reporter): string {
  if (sectorSize === 4096) return '4k.raw.xz';
  if (sectorSize !== 512) reporter.warn(`Found non-standard sector size ${sectorSize} for ${dest}, assuming 512b-compatible`);
  return 'raw.xz';
}

async function resolveOptions(input: InstallInput, reporter: Reporter): Promise<InstallOptions> {
  if (input.configFiles.length === 0) return input.options;
  const configs = [];
  for (const file of input.configFiles) configs.push(await readConfigFile(file));
  const { options, args } = mergeInstallOptions(configs, input.options);
  // Upstream prints this on stdout; stdout stays data-only here, so it goes to stderr.
  reporter.info(`Running with arguments: ${args.join(' ')}`);
  return options;
}

function firstBootPlan(o: InstallOptions, ignition: Buffer | undefined): FirstBootPlan {
  return {
    ignition,
    platform: o.platform,
    consoles: o.consoles,
    appendKargs: o.appendKargs,
    deleteKargs: o.deleteKargs,
    copyNetworkFrom: o.copyNetwork ? o.networkDir : undefined,
    firstbootArgs: o.firstbootArgs,
  };
}

function describePlan(o: InstallOptions, facts: TargetFacts, sourceDesc: string, saved: SavedPartitions | undefined, plan: FirstBootPlan): string[] {
  const lines = [
    `source: ${sourceDesc}`,
    `signature: ${o.insecure ? 'verified if present (--insecure)' : 'required, verified against the trusted keys'}`,
    `target: ${facts.path} (${facts.kind === 'block' ? 'block device' : facts.exists ? 'existing file' : 'new file'}, ${facts.sectorSize}-byte sectors${facts.size ? `, ${facts.size} bytes` : ''})`,
    `partitions kept: ${saved ? saved.entries.map((e) => `${e.index} ("${e.name}")`).join(', ') : 'none'}`,
  ];
  const files: string[] = [];
  if (plan.ignition || o.ignitionUrl) files.push('ignition/config.ign');
  if (plan.platform || plan.consoles.length || plan.appendKargs.length || plan.deleteKargs.length) files.push('loader/entries/<last>.conf');
  if (plan.consoles.length || plan.platform) files.push('grub console block');
  if (plan.copyNetworkFrom) files.push(`firstboot-network/ from ${plan.copyNetworkFrom}`);
  if (plan.firstbootArgs) files.push('ignition.firstboot');
  lines.push(`files to write: ${files.length ? files.join(', ') : 'none'}`);
  if (plan.platform) lines.push(`platform: ${plan.platform}`);
  for (const c of plan.consoles) lines.push(`console: ${c}`);
  for (const k of plan.appendKargs) lines.push(`append karg: ${k}`);
  for (const k of plan.deleteKargs) lines.push(`delete karg: ${k}`);
  return lines;
}

async function warnOtherBootFilesystems(target: Target, reporter: Reporter): Promise<void> {
  if (target.kind !== 'block') return;
  const text = await output('blkid', ['-t', 'LABEL=boot', '-o', 'device']).catch(() => '');
  const others = text.split('\n').filter((d) => d && !d.startsWith(target.path));
  if (others.length === 0) return;
  reporter.warn('Note: detected other devices with a filesystem labeled `boot`:');
  for (const d of others) reporter.warn(`  - ${d}`);
  reporter.warn('The installed OS may not work correctly if there are multiple boot filesystems.\nBefore rebooting, investigate whether these filesystems are needed and consider\nwiping them with `wipefs -a`.');
}

export async function installCommand(input: InstallInput, reporter: Reporter): Promise<InstallResult> {
  try {
    return await install(input, reporter);
  } finally {
    await closeHttp();
  }
}

async function install(input: InstallInput, reporter: Reporter): Promise<InstallResult> {
  const o = await resolveOptions(input, reporter);
  if (!o.dest) throw new UsageError('destination device must be specified');
  if (o.offline) throw new UserError('cannot perform offline install; metadata missing');
  for (const c of o.consoles) parseConsole(c);
  if (o.ignitionHash) parseIgnitionHash(o.ignitionHash);
  if (o.destSectorSize !== undefined && o.destSectorSize !== 512 && o.destSectorSize !== 4096) {
    throw new UsageError(`--dest-sector-size ${o.destSectorSize}: expected 512 or 4096`);
  }
  checkIgnitionUrl(o);
  // The image decoder's thread starts while the target is checked, not after.
  if (!o.dryRun) warmDecoderThread();
  const ignition = o.dryRun && o.ignitionUrl ? undefined : await loadIgnition(o, reporter);
  const filters = parsePartitionFilters(o.savePartlabel, o.savePartindex);
  const facts = await inspectTarget(o.dest, { destSize: o.destSize, destSectorSize: o.destSectorSize });
  if (facts.kind === 'block') await checkNotBusy(o.dest, reporter);
  else if (facts.exists) await checkFileNotBusy(o.dest, reporter);

  const stream = o.imageFile || o.imageUrl ? undefined : (o.stream ?? 'stable');
  const source = await resolveImageSource({
    imageFile: o.imageFile,
    imageUrl: o.imageUrl,
    stream,
    arch: o.architecture,
    platform: 'metal',
    format: formatFor(facts.sectorSize, o.dest, reporter),
    streamBaseUrl: o.streamBaseUrl,
    retries: o.fetchRetries,
    reporter,
  });
  const plan = firstBootPlan(o, ignition);

  if (o.dryRun) {
    let saved: SavedPartitions | undefined;
    if (facts.exists && facts.size) {
      const t = await openTarget({ ...facts }, undefined).catch(() => undefined);
      if (t) {
        try {
          saved = await readSavedPartitions((l, p) => readAt(t, l, p), { sectorSize: facts.sectorSize, diskSize: facts.size, filters });
        } finally {
          await t.handle.close();
        }
      }
    }
    const lines = describePlan(o, facts, source.description, saved, plan);
    reporter.result({ dryRun: true, device: o.dest, source: source.description, plan: lines });
    return { device: o.dest, source: source.description, dryRun: true, plan: lines, savedPartitions: saved?.entries.map((e) => ({ index: e.index, name: e.name })) ?? [] };
  }

  const keys = await loadTrustedKeys({ extraKeyFiles: o.trustedKeys });
  const target = await openTarget(facts, o.destSize);
  const signals = trapSignals();
  let saved: SavedPartitions | undefined;
  let bytesWritten = 0;
  let targetTouched = false;
  try {
    try {
      saved = await readSavedPartitions((l, p) => readAt(target, l, p), { sectorSize: target.sectorSize, diskSize: target.size, filters });
      const image = await openVerified(source, { keys, insecure: o.insecure, reporter, label: 'image', signal: signals.signal });
      targetTouched = true;
      const writer = new ImageWriter({ target, saved, reporter, signal: signals.signal });
      await image.run((chunk) => writer.consume(chunk)).catch(async (err: unknown) => {
        await writer.abandon();
        throw err;
      });
      const written = await writer.finish(() => image.verdict());
      bytesWritten = written.bytes;
      if (needsBootEdits(plan)) {
        await withBootFilesystem(target, (dir) => prepareFirstBoot(dir, plan, reporter));
      }
      if (signals.signal.aborted) throw interruptedError(signals.signal);
      await target.handle.sync();
    } catch (err) {
      reporter.warn(`\n${formatErrorChain(err)}\n`);
      if (target.created) {
        await target.handle.close().catch(() => undefined);
        await unlink(target.path).catch(() => undefined);
      } else if (!targetTouched) {
        // Nothing was written yet: the disk is as it was.
      } else if (o.preserveOnError) {
        reporter.warn('Preserving partition table as requested');
      } else {
        reporter.warn('Resetting partition table');
        await resetPartitionTable(target, saved).catch((e: unknown) => reporter.warn(`Error resetting partition table: ${formatErrorChain(e)}`));
      }
      throw new UserError('install failed');
    }
  } finally {
    signals.dispose();
    await target.handle.close().catch(() => undefined);
    if (target.kind === 'block') await rereadPartitions(target.path).catch(() => undefined);
  }
  await warnOtherBootFilesystems(target, reporter);
  reporter.info('Install complete.');
  const { createHash } = await import('node:crypto');
  const result: InstallResult = {
    device: o.dest,
    source: source.description,
    dryRun: false,
    plan: [],
    savedPartitions: saved?.entries.map((e) => ({ index: e.index, name: e.name })) ?? [],
    bytesWritten,
    ignitionSha256: ignition ? createHash('sha256').update(ignition).digest('hex') : undefined,
  };
  reporter.result({ ...result, plan: undefined });
  return result;
}
