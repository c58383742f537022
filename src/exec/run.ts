/**
 * The one way this project runs external tools. Errors read as
 * `running <cmd>: exit status N: <last stderr line>`; a missing tool names its Debian package.
 */
import { execa, type Options } from 'execa';
import { UserError } from '../errors.js';
import { DEBIAN_PACKAGE_OF } from './packages.js';

export class CommandError extends UserError {
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly stderr: string,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

export class MissingToolError extends UserError {
  constructor(readonly tool: string) {
    const pkg = DEBIAN_PACKAGE_OF[tool];
    super(
      `required tool '${tool}' not found; install it with \`apt-get install ${pkg ?? tool}\`` +
        ' (or run scripts/setup)',
    );
    this.name = 'MissingToolError';
  }
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Milliseconds before the tool is killed. */
  timeout?: number;
  /** Exit codes that count as success besides 0 (systemd-tmpfiles uses 65). */
  okExitCodes?: number[];
  /** Return stdout as a Buffer rather than text. */
  binary?: boolean;
}

export interface RunResult {
  stdout: string;
  stdoutBytes?: Buffer;
  stderr: string;
  exitCode: number;
}

function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

export async function run(tool: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const execaOptions: Options = {
    reject: false,
    stripFinalNewline: false,
    env: options.env,
    extendEnv: true,
    cwd: options.cwd,
    timeout: options.timeout,
    input: options.input,
    encoding: options.binary ? 'buffer' : 'utf8',
    stdin: options.input === undefined ? 'ignore' : 'pipe',
  };
  const result = await execa(tool, args, execaOptions);
  const stdoutRaw = result.stdout as unknown;
  const stderr = Buffer.isBuffer(result.stderr) ? result.stderr.toString() : String(result.stderr ?? '');
  const cmdline = [tool, ...args].join(' ');
  if (
    (result as { code?: string }).code === 'ENOENT' ||
    (result.failed && /ENOENT/.test(String(result.message)) && result.exitCode === undefined)
  ) {
    throw new MissingToolError(tool);
  }
  const exitCode = result.exitCode ?? -1;
  if (result.timedOut) {
    throw new CommandError(cmdline, undefined, stderr, `running ${cmdline}: timed out after ${options.timeout} ms`);
  }
  if (exitCode !== 0 && !(options.okExitCodes ?? []).includes(exitCode)) {
    const why = result.signal ? `killed by ${result.signal}` : `exit status ${exitCode}`;
    const detail = tail(stderr) || tail(typeof stdoutRaw === 'string' ? stdoutRaw : '');
    throw new CommandError(
      cmdline,
      result.exitCode,
      stderr,
      `running ${cmdline}: ${why}${detail ? `: ${detail}` : ''}`,
    );
  }
  if (Buffer.isBuffer(stdoutRaw) || stdoutRaw instanceof Uint8Array) {
    const bytes = Buffer.from(stdoutRaw as Uint8Array);
    return { stdout: '', stdoutBytes: bytes, stderr, exitCode };
  }
  return { stdout: typeof stdoutRaw === 'string' ? stdoutRaw : '', stderr, exitCode };
}

/** Runs a tool and returns its trimmed stdout. */
export async function output(tool: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return (await run(tool, args, options)).stdout.trim();
}
