/**
 * Boots a QEMU/TCG machine (SeaBIOS or OVMF) from a disk, an ISO or a kernel+initrds and returns
 * the first-boot probe's `FIRSTBOOT-PROBE {json}` line (see images/probe/probe.sh).
 * Disks are attached with snapshot=on (never modified) unless `writable` (or `readOnly`) is set.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
export const PROBE_MARKER = 'FIRSTBOOT-PROBE ';

export interface ProbeResult {
  cmdline: string;
  /** e.g. `ostree/deploy/nestos/deploy/<commit>.0`, resolved from the `ostree=` karg. */
  deployment: string | null;
  ignition_sha256: string | null;
  firstboot: boolean;
  platform: string | null;
  network_keyfiles: string[];
  /** Extras: running kernel release and virtio disks with their logical block size. */
  kernel?: string;
  disks?: Array<{ name: string; lbs: number }>;
}

export interface DiskSpec {
  path: string;
  sectorSize?: 512 | 4096;
}

export interface BootOptions {
  firmware: 'bios' | 'uefi';
  disk?: string;
  sectorSize?: 512 | 4096;
  iso?: string;
  kernel?: string;
  initrds?: string[];
  /** Kernel command line for -kernel boots; ` panic=-1` is added unless a panic= karg is present. */
  append?: string;
  extraDisks?: DiskSpec[];
  memoryMiB?: number;
  timeoutMs?: number;
  /** Attach disks with readonly=on (lets parallel VMs share an image; guest writes fail). */
  readOnly?: boolean;
  /** Let guest writes reach the image files (default: snapshot=on, discarded). */
  writable?: boolean;
  /** Extra `-fw_cfg name=...,file=...` entries (e.g. opt/com.coreos/config). */
  fwCfg?: Array<{ name: string; file: string }>;
  /** `user`: a virtio NIC on QEMU's user network (the host's 127.0.0.1 is 10.0.2.2); default none. */
  network?: 'user';
  /** Virtual CPUs (default 1); TCG runs each on its own host thread. */
  cpus?: number;
}

export interface BootRun {
  log: string;
  exitCode: number | null;
  probe?: ProbeResult;
}

export class BootError extends Error {
  constructor(
    reason: string,
    readonly log: string,
  ) {
    super(`${reason}\n--- serial log tail ---\n${log.slice(-4000)}`);
    this.name = 'BootError';
  }
}

function driveArgs(d: DiskSpec, index: number, opts: BootOptions, bootindex?: number): string[] {
  const mode = opts.readOnly ? ',readonly=on' : opts.writable ? '' : ',snapshot=on';
  const id = `d${index}`;
  let dev = `virtio-blk-pci,drive=${id}`;
  if (d.sectorSize === 4096) dev += ',logical_block_size=4096,physical_block_size=4096';
  if (bootindex !== undefined) dev += `,bootindex=${bootindex}`;
  return ['-drive', `if=none,id=${id},format=raw,file=${d.path}${mode}`, '-device', dev];
}

/** Concatenates initrds (each padded to a 4-byte boundary, as the kernel expects). */
async function concatInitrds(paths: string[], dest: string): Promise<void> {
  const out = await open(dest, 'w');
  try {
    for (const p of paths) {
      const data = await readFile(p);
      await out.write(data);
      const pad = (4 - (data.length % 4)) % 4;
      if (pad) await out.write(Buffer.alloc(pad));
    }
  } finally {
    await out.close();
  }
}

async function buildArgs(opts: BootOptions, tmp: string): Promise<string[]> {
  const args = [
    '-machine',
    'q35,accel=tcg',
    '-smp',
    String(opts.cpus ?? 1),
    '-m',
    String(opts.memoryMiB ?? 1024),
    '-nographic',
    '-serial',
    'mon:stdio',
    '-no-reboot',
    '-nic',
    opts.network === 'user' ? 'user,model=virtio-net-pci' : 'none',
  ];
  if (opts.firmware === 'uefi') {
    const vars = join(tmp, 'vars.fd');
    await copyFile(OVMF_VARS, vars);
    args.push(
      '-drive',
      `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`,
      '-drive',
      `if=pflash,format=raw,file=${vars}`,
    );
  }
  const direct = opts.kernel !== undefined;
  if (direct) {
    args.push('-kernel', opts.kernel as string);
    const initrds = opts.initrds ?? [];
    if (initrds.length === 1) args.push('-initrd', initrds[0] as string);
    else if (initrds.length > 1) {
      const joined = join(tmp, 'initrd.img');
      await concatInitrds(initrds, joined);
      args.push('-initrd', joined);
    }
    let append = opts.append ?? 'console=ttyS0,115200n8';
    if (!/(^|\s)panic=/.test(append)) append += ' panic=-1';
    args.push('-append', append);
  }
  if (opts.iso) {
    // A virtio-scsi CD: firmware and bootloaders boot from it, and the cloud kernel (no AHCI
    // driver) sees it too, as the live initramfs must to find its root filesystem.
    args.push(
      '-device',
      'virtio-scsi-pci,id=scsi0',
      '-drive',
      `if=none,id=cd0,media=cdrom,readonly=on,format=raw,file=${opts.iso}`,
      '-device',
      `scsi-cd,drive=cd0,bus=scsi0.0${direct ? '' : ',bootindex=0'}`,
    );
  }
  const disks: DiskSpec[] = [];
  if (opts.disk) disks.push({ path: opts.disk, sectorSize: opts.sectorSize ?? 512 });
  disks.push(...(opts.extraDisks ?? []));
  disks.forEach((d, i) => args.push(...driveArgs(d, i, opts, !direct && i === 0 ? 1 : undefined)));
  for (const f of opts.fwCfg ?? []) args.push('-fw_cfg', `name=${f.name},file=${f.file}`);
  return args;
}

export function parseProbeLine(log: string): ProbeResult | undefined {
  const at = log.indexOf(PROBE_MARKER);
  if (at < 0) return undefined;
  const end = log.indexOf('\n', at);
  if (end < 0) return undefined;
  const json = log.slice(at + PROBE_MARKER.length, end).trim();
  return JSON.parse(json) as ProbeResult;
}

/**
 * Runs QEMU until it exits (or the marker appears and QEMU then exits); rejects on timeout or
 * when OVMF drops to its `Shell>` (no bootable device).
 */
export async function bootQemu(opts: BootOptions, waitForProbe = false): Promise<BootRun> {
  const tmp = await mkdtemp(join(tmpdir(), 'nestos-qemu-'));
  try {
    const args = await buildArgs(opts, tmp);
    const timeoutMs = opts.timeoutMs ?? 180_000;
    return await new Promise<BootRun>((resolve, reject) => {
      const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      let failure: string | undefined;
      let probe: ProbeResult | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      const stop = (reason?: string): void => {
        if (reason && !failure) failure = reason;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => stop(`QEMU boot timed out after ${timeoutMs} ms`), timeoutMs);
      const onData = (chunk: Buffer): void => {
        log += chunk.toString('latin1');
        if (/Shell> |UEFI Interactive Shell/.test(log) && !failure) {
          stop('firmware dropped to the UEFI shell (no bootable device found)');
        }
        if (waitForProbe && !probe) {
          try {
            probe = parseProbeLine(log);
          } catch (e) {
            stop(`unparsable ${PROBE_MARKER.trim()} line: ${(e as Error).message}`);
          }
          // poweroff -f follows at once; do not wait forever if the guest hangs after the marker.
          if (probe) killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', (e) => {
        failure ??= `cannot run qemu-system-x86_64: ${e.message}`;
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (killTimer) clearTimeout(killTimer);
        if (failure) reject(new BootError(failure, log));
        else resolve({ log, exitCode: code, probe });
      });
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Boots and returns the probe line; rejects (with the serial log tail) if it never appears. */
export async function bootProbe(opts: BootOptions): Promise<{ probe: ProbeResult; log: string }> {
  const run = await bootQemu(opts, true);
  if (!run.probe)
    throw new BootError(`no ${PROBE_MARKER.trim()} line on the serial console (QEMU exit ${run.exitCode})`, run.log);
  return { probe: run.probe, log: run.log };
}
