/**
 * Exclusive-access check: a partition (or the disk) is busy when it is
 * mounted, is swap, or has holders. Upstream's messages: `Partitions in use on <dev>:` then
 * `found busy partitions`. A file target is busy when a loop device is backed by it.
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import { UserError } from '../errors.js';
import { output } from '../exec/run.js';
import type { Reporter } from '../report.js';

interface Node {
  name: string;
  type: string;
  mountpoints: string[];
}

async function listNodes(dev: string): Promise<Node[]> {
  const text = await output('lsblk', ['--json', '--paths', '--output', 'NAME,TYPE,MOUNTPOINTS', dev]);
  const json = JSON.parse(text) as { blockdevices?: Array<Record<string, unknown>> };
  const nodes: Node[] = [];
  const walk = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const raw of list as Array<Record<string, unknown>>) {
      const mps = (Array.isArray(raw.mountpoints) ? raw.mountpoints : []).filter(
        (m): m is string => typeof m === 'string',
      );
      nodes.push({ name: String(raw.name), type: String(raw.type), mountpoints: mps });
      walk(raw.children);
    }
  };
  walk(json.blockdevices);
  return nodes;
}

async function swaps(): Promise<Set<string>> {
  const text = await readFile('/proc/swaps', 'utf8').catch(() => '');
  const set = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    const name = line.split(/\s+/)[0];
    if (name) set.add(await realpath(name).catch(() => name));
  }
  return set;
}

async function holders(dev: string): Promise<string[]> {
  const name = basename(await realpath(dev).catch(() => dev));
  return readdir(`/sys/class/block/${name}/holders`).catch(() => []);
}

/** Lines describing what holds the disk or its partitions (empty = free). */
export async function busyReport(dev: string): Promise<string[]> {
  const lines: string[] = [];
  const swapSet = await swaps();
  for (const node of await listNodes(dev)) {
    const real = await realpath(node.name).catch(() => node.name);
    for (const mp of node.mountpoints) lines.push(`    ${node.name} mounted on ${mp}`);
    if (swapSet.has(real)) lines.push(`    ${node.name} is swap device`);
    // The whole disk's holders include its own partition-less users (dm, md).
    for (const h of await holders(node.name)) lines.push(`    ${node.name} in use by ${h}`);
  }
  return lines;
}

export async function checkNotBusy(dev: string, reporter: Reporter): Promise<void> {
  const lines = await busyReport(dev);
  if (lines.length === 0) return;
  reporter.warn(`Partitions in use on ${dev}:`);
  for (const l of lines) reporter.warn(l);
  throw new UserError('found busy partitions');
}

/** A regular-file target attached to a loop device is in use too. */
export async function checkFileNotBusy(path: string, reporter: Reporter): Promise<void> {
  const text = await output('losetup', ['--associated', path]).catch(() => '');
  const devs = text
    .split('\n')
    .map((l) => l.split(':')[0])
    .filter((d): d is string => Boolean(d));
  if (devs.length === 0) return;
  reporter.warn(`Partitions in use on ${path}:`);
  for (const d of devs) reporter.warn(`    ${path} in use by ${d}`);
  throw new UserError('found busy partitions');
}
