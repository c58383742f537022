/**
 * Reporter: how messages and progress look. Stages emit events; this decides the rendering:
 * on an interactive terminal an ora spinner carrying a bar with rate and ETA, ending in a green
 * ✔ or a red ✖; otherwise (a pipe, the journal, `TERM=dumb`, `CI`) upstream's plain
 * `Read <type> …` line at most every few seconds; or JSON lines with --json. Everything goes to
 * stderr; stdout carries data only.
 */
import type { Ora } from 'ora';
import { barText, progressText, RateMeter, type ProgressEvent } from './progress-line.js';

export { formatBytes, progressText, type ProgressEvent } from './progress-line.js';

/** The key that made a good signature over an artifact. */
export interface SignatureEvent {
  /** The artifact type, as progress labels it. */
  label: string;
  /** Primary key fingerprint, upper-case hex. */
  fingerprint: string;
  /** The key's primary user ID (empty when it has none). */
  userId: string;
}

export interface Reporter {
  readonly json: boolean;
  info(message: string): void;
  warn(message: string): void;
  /** A named stage of a longer operation (ostree deploy, install steps). */
  step(name: string): void;
  progress(event: ProgressEvent): void;
  /** Ends an in-flight progress display: the read succeeded (and verified, where it is checked). */
  progressDone(event: ProgressEvent): void;
  /** Ends an in-flight progress display: the read, or the check of what was read, failed. */
  progressFailed(event: ProgressEvent): void;
  /** A signature verified: `Signature verified with key <fingerprint> (<user id>)`. */
  signature(event: SignatureEvent): void;
  /**
   * A structured final result (JSON mode prints it; text mode ignores it). The last verified
   * signature is added as `signature` unless the data has one.
   */
  result(data: Record<string, unknown>): void;
  /**
   * Ends any progress display for good (a spinner's timer would keep the process alive after
   * a failure or an interrupt); one still in flight ends as failed. Messages after it are
   * still printed, without a spinner.
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

/** The line a verified signature prints. */
export function signatureText(event: SignatureEvent): string {
  return `Signature verified with key ${event.fingerprint}${event.userId ? ` (${event.userId})` : ''}`;
}

/**
 * As ora and upstream's terminal check: a TTY, a terminal that can redraw, and not CI. A
 * terminal that reports no width (a serial console often reports 0 columns) gets plain lines:
 * redrawing a line on it has no end.
 */
export function isInteractive(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && env['TERM'] !== 'dumb' && !('CI' in env) && (stream.columns ?? 0) > 0;
}

/** Plain progress lines (journal, pipes) come at most this often, besides the first and last. */
export const PLAIN_INTERVAL_MS = 5000;
/** JSON progress records come at most this often, besides the first and last. */
const JSON_INTERVAL_MS = 1000;
/** The terminal line is recomputed at most this often (ora redraws on its own timer). */
const TTY_INTERVAL_MS = 100;

export interface ReporterOptions {
  json?: boolean;
  stream?: NodeJS.WriteStream;
  /** Force interactive or plain rendering (tests). */
  tty?: boolean;
  now?: () => number;
}

export function createReporter(options: ReporterOptions = {}): Reporter {
  const out = options.stream ?? process.stderr;
  const json = options.json ?? false;
  const tty = options.tty ?? isInteractive(out);
  const now = options.now ?? (() => Date.now());
  const write = (line: string) => out.write(line + '\n');
  const emit = (obj: Record<string, unknown>) => write(JSON.stringify(obj));
  let spinner: Ora | undefined;
  // ora (and chalk) load only when a terminal will show a spinner: keeps every other start-up,
  // --help included, free of them. Until it has loaded, nothing is drawn.
  let makeSpinner: typeof import('ora').default | undefined;
  if (tty && !json)
    void import('ora').then(
      (m) => {
        makeSpinner = m.default;
      },
      () => undefined,
    );
  let closed = false;
  let lastPrint = -Infinity;
  // The last plain progress line, so the final state is not printed twice.
  let lastProgressLine = '';
  let current: ProgressEvent | undefined;
  let lastSignature: SignatureEvent | undefined;
  const meter = new RateMeter();
  const interval = json ? JSON_INTERVAL_MS : tty ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS;

  const stopSpinner = () => {
    spinner?.stop();
    spinner = undefined;
  };
  const above = (line: string) => {
    if (spinner) spinner.clear();
    write(line);
    spinner?.render();
  };
  const finish = (event: ProgressEvent, ok: boolean) => {
    current = undefined;
    meter.reset();
    if (json)
      emit({
        type: 'progress',
        label: event.label,
        bytes: event.bytes,
        total: event.total ?? null,
        ...(ok ? { done: true } : { failed: true }),
      });
    else if (spinner) {
      if (ok) spinner.succeed(progressText(event));
      else spinner.fail(progressText(event));
      spinner = undefined;
    } else if (ok && progressText(event) !== lastProgressLine) {
      write(progressText(event));
    }
    lastProgressLine = '';
    lastPrint = -Infinity;
  };

  return {
    json,
    info(message) {
      if (json) return emit({ type: 'info', message });
      above(message);
    },
    warn(message) {
      if (json) return emit({ type: 'warning', message });
      above(message);
    },
    step(name) {
      if (json) return emit({ type: 'step', step: name });
      stopSpinner();
      write(name);
    },
    progress(event) {
      const t = now();
      if (event.bytes === 0 || current?.label !== event.label) meter.reset();
      current = event;
      const rate = meter.sample(event, t);
      const last = event.total !== undefined && event.bytes >= event.total;
      if (t - lastPrint < interval && !last) return;
      lastPrint = t;
      if (json) return emit({ type: 'progress', label: event.label, bytes: event.bytes, total: event.total ?? null });
      if (tty) {
        const text = barText(event, rate, out.columns || 80);
        if (spinner) spinner.text = text;
        else if (makeSpinner && !closed)
          spinner = makeSpinner({ text, stream: out, discardStdin: false, isEnabled: true }).start();
        return;
      }
      lastProgressLine = progressText(event);
      write(lastProgressLine);
    },
    progressDone(event) {
      finish(event, true);
    },
    progressFailed(event) {
      finish(event, false);
    },
    signature(event) {
      lastSignature = event;
      if (json)
        return emit({ type: 'signature', label: event.label, fingerprint: event.fingerprint, userId: event.userId });
      above(signatureText(event));
    },
    result(data) {
      if (!json) return;
      const signature = lastSignature && { fingerprint: lastSignature.fingerprint, userId: lastSignature.userId };
      emit({ type: 'result', ...(signature && !('signature' in data) ? { signature } : {}), ...data });
    },
    close() {
      if (current && spinner) finish(current, false);
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
    progressFailed: (e) => void lines.push(`${progressText(e)} failed`),
    signature: (e) => void lines.push(signatureText(e)),
    result: () => undefined,
    close: () => undefined,
  };
}
