/**
 * Reporter: how messages and progress look. Stages emit events; this decides the rendering:
 * an ora spinner on a TTY, at most one plain line per second otherwise (the journal reads
 * these), or JSON lines with --json. Everything goes to stderr; stdout carries data only.
 */
import type { Ora } from 'ora';

export interface ProgressEvent {
  /** What is being read, e.g. "disk", "kernel", "image". */
  label: string;
  bytes: number;
  total?: number;
}

export interface Reporter {
  readonly json: boolean;
  info(message: string): void;
  warn(message: string): void;
  /** A named stage of a longer operation (ostree deploy, install steps). */
  step(name: string): void;
  progress(event: ProgressEvent): void;
  /** Ends an in-flight progress display with its final state. */
  progressDone(event: ProgressEvent): void;
  /** A structured final result (JSON mode prints it; text mode ignores it). */
  result(data: Record<string, unknown>): void;
  /**
   * Ends any progress display for good (a spinner's timer would keep the process alive after
   * a failure or an interrupt). Messages after it are still printed, without a spinner.
   */
  close(): void;
}

/** Whether a command line asks for JSON output (`--json`, `--json=true`; options end at `--`). */
export function wantsJson(argv: readonly string[]): boolean {
  let json = false;
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg === '--json' || arg === '--json=true') json = true;
    else if (arg === '--no-json' || arg === '--json=false') json = false;
  }
  return json;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Binary units with one decimal, as upstream: `749.9 MiB`. */
export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Upstream's progress text: `Read disk 1.0 MiB/2.0 MiB (50%)`. */
export function progressText(event: ProgressEvent): string {
  if (event.total !== undefined && event.total > 0) {
    const pct = Math.floor((event.bytes * 100) / event.total);
    return `Read ${event.label} ${formatBytes(event.bytes)}/${formatBytes(event.total)} (${pct}%)`;
  }
  return `Read ${event.label} ${formatBytes(event.bytes)}`;
}

export interface ReporterOptions {
  json?: boolean;
  stream?: NodeJS.WriteStream;
  /** Force TTY or plain rendering (tests). */
  tty?: boolean;
  now?: () => number;
}

export function createReporter(options: ReporterOptions = {}): Reporter {
  const out = options.stream ?? process.stderr;
  const json = options.json ?? false;
  const tty = options.tty ?? Boolean(out.isTTY);
  const now = options.now ?? (() => Date.now());
  const write = (line: string) => out.write(line + '\n');
  const emit = (obj: Record<string, unknown>) => write(JSON.stringify(obj));
  let spinner: Ora | undefined;
  // ora (and chalk) load only when a TTY will show a spinner: every command's start-up,
  // --help included, paid ~60 ms for it otherwise. Until it has loaded, nothing is drawn.
  let makeSpinner: typeof import('ora').default | undefined;
  if (tty && !json) void import('ora').then((m) => { makeSpinner = m.default; }, () => undefined);
  let closed = false;
  let lastPrint = -Infinity;
  // The last plain progress line, so the final state is not printed twice.
  let lastProgressLine = '';
  let started = now();

  const rate = (bytes: number) => {
    const secs = Math.max((now() - started) / 1000, 0.001);
    return `${formatBytes(Math.round(bytes / secs))}/s`;
  };
  const stopSpinner = () => {
    spinner?.stop();
    spinner = undefined;
  };

  return {
    json,
    info(message) {
      if (json) return emit({ type: 'info', message });
      if (spinner) spinner.clear();
      write(message);
      spinner?.render();
    },
    warn(message) {
      if (json) return emit({ type: 'warning', message });
      if (spinner) spinner.clear();
      write(message);
      spinner?.render();
    },
    step(name) {
      if (json) return emit({ type: 'step', step: name });
      stopSpinner();
      write(name);
    },
    progress(event) {
      const t = now();
      if (event.bytes === 0) started = t;
      if (t - lastPrint < 1000 && !(event.total !== undefined && event.bytes >= event.total)) {
        if (spinner) spinner.text = `${progressText(event)}  ${rate(event.bytes)}`;
        return;
      }
      lastPrint = t;
      if (json) return emit({ type: 'progress', label: event.label, bytes: event.bytes, total: event.total ?? null });
      if (tty) {
        const text = `${progressText(event)}  ${rate(event.bytes)}`;
        if (spinner) spinner.text = text;
        else if (makeSpinner && !closed) spinner = makeSpinner({ text, stream: out, discardStdin: false }).start();
        return;
      }
      lastProgressLine = progressText(event);
      write(lastProgressLine);
    },
    progressDone(event) {
      if (json) return emit({ type: 'progress', label: event.label, bytes: event.bytes, total: event.total ?? null, done: true });
      if (spinner) {
        spinner.succeed(progressText(event));
        spinner = undefined;
      } else if (progressText(event) !== lastProgressLine) {
        write(progressText(event));
      }
      lastProgressLine = '';
      lastPrint = -Infinity;
    },
    result(data) {
      if (json) emit({ type: 'result', ...data });
    },
    close() {
      closed = true;
      stopSpinner();
    },
  };
}

/** A reporter that records everything, for tests. */
export function createMemoryReporter(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return {
    json: false,
    lines,
    info: (m) => void lines.push(m),
    warn: (m) => void lines.push(m),
    step: (m) => void lines.push(m),
    progress: () => undefined,
    progressDone: (e) => void lines.push(progressText(e)),
    result: () => undefined,
    close: () => undefined,
  };
}
