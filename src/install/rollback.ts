/**
 * The failure path of `install` (upstream's step 13, made to destroy nothing it did not write):
 * the error chain is shown, then
 *  - a file this run created is removed (only if its path still names that file);
 *  - a target this run never wrote to is left exactly as it was;
 *  - with --preserve-on-error the table stays, and saved partitions go to a stash file;
 *  - otherwise the table is reset to one holding only the saved partitions.
 * The run then ends `install failed`, which keeps the original error as its cause.
 */
import { unlink } from 'node:fs/promises';
import { UserError, formatErrorChain } from '../errors.js';
import { FLAVORS, type Flavor } from '../flavor.js';
import type { Reporter } from '../report.js';
import { stashSavedPartitions } from '../disk/partition-stash.js';
import type { SavedPartitions } from '../disk/saved-partitions.js';
import { type Target, targetPathChange } from '../disk/target.js';
import { resetPartitionTable } from './writer.js';

export interface RollbackOptions {
  preserveOnError: boolean;
  /** Names the stash file (`nestos-installer-…` or `coreos-installer-…`). */
  flavor: Flavor;
}

async function removeCreatedFile(target: Target, reporter: Reporter): Promise<void> {
  // Closing after a failure; the first error is the one reported.
  await target.handle.close().catch(() => undefined);
  const change = await targetPathChange(target);
  if (change) {
    reporter.warn(`Not removing ${target.path}: it was ${change} by something else during the install`);
    return;
  }
  await unlink(target.path).catch((e: unknown) =>
    reporter.warn(`Error removing ${target.path}: ${formatErrorChain(e)}`),
  );
}

/** Undoes what this run did to `target` after `err`, then throws `install failed` (cause: err). */
export async function rollBack(
  target: Target,
  saved: SavedPartitions | undefined,
  err: unknown,
  options: RollbackOptions,
  reporter: Reporter,
): Promise<never> {
  // Text output shows the chain now, as upstream; JSON output carries it in the final error record.
  if (!reporter.json) reporter.warn(`\n${formatErrorChain(err)}\n`);
  if (target.created) {
    await removeCreatedFile(target, reporter);
  } else if (!target.wrote) {
    reporter.warn(`Nothing was written to ${target.path}; it is unchanged`);
  } else if (options.preserveOnError) {
    reporter.warn('Preserving partition table as requested');
    if (saved) {
      await stashSavedPartitions(saved, FLAVORS[options.flavor].tempPrefix, (path) =>
        reporter.warn(`Storing saved partition entries to ${path}`),
      ).catch((e: unknown) => reporter.warn(`Error stashing saved partitions: ${formatErrorChain(e)}`));
    }
  } else {
    reporter.warn('Resetting partition table');
    await resetPartitionTable(target, saved).catch((e: unknown) =>
      reporter.warn(`Error resetting partition table: ${formatErrorChain(e)}`),
    );
  }
  throw new UserError('install failed', { cause: err, causesShown: !reporter.json });
}
