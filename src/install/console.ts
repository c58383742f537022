/**
 * `--console` specs: graphical `tty0|hvc0|ttysclp0`, or serial
 * `ttyS<n>|ttyAMA<n>[,<speed>[<parity>[<bits>]]]` normalised to `ttyS0,9600n8`; the kernel
 * argument and the GRUB commands derived from them; the console block in grub.cfg.
 */
import { UsageError, UserError } from '../errors.js';

export type Console =
  | { kind: 'graphical'; name: string }
  | { kind: 'serial'; name: string; unit: number; speed: number; parity: 'n' | 'o' | 'e'; bits: number };

const SERIAL = /^(ttyS|ttyAMA)(\d+)(?:,(\d+)(?:([noe])([5-8])?)?)?$/;

export function parseConsole(spec: string): Console {
  if (spec.startsWith('console=') || spec.startsWith('/dev/')) {
    throw new UsageError(`invalid console '${spec}': specify only the console name and options, e.g. 'ttyS0,115200n8'`);
  }
  if (['tty0', 'hvc0', 'ttysclp0'].includes(spec)) return { kind: 'graphical', name: spec };
  const m = SERIAL.exec(spec);
  if (!m) throw new UsageError(`invalid or unsupported console argument '${spec}'`);
  return {
    kind: 'serial',
    name: `${m[1]}${m[2]}`,
    unit: Number(m[2]),
    speed: m[3] ? Number(m[3]) : 9600,
    parity: (m[4] ?? 'n') as 'n' | 'o' | 'e',
    bits: m[5] ? Number(m[5]) : 8,
  };
}

export function consoleSpec(c: Console): string {
  return c.kind === 'graphical' ? c.name : `${c.name},${c.speed}${c.parity}${c.bits}`;
}

export function consoleKarg(c: Console): string {
  return `console=${consoleSpec(c)}`;
}

export function consoleGrubCommands(consoles: readonly Console[]): string[] {
  const cmds: string[] = [];
  const terminals = new Set<string>();
  for (const c of consoles) {
    if (c.kind === 'serial') {
      const parity = { n: 'no', o: 'odd', e: 'even' }[c.parity];
      cmds.push(`serial --unit=${c.unit} --speed=${c.speed} --word=${c.bits} --parity=${parity}`);
      terminals.add('serial');
    } else {
      terminals.add('console');
    }
  }
  const t = [...terminals].sort().join(' ');
  cmds.push(`terminal_input ${t}`, `terminal_output ${t}`);
  return cmds;
}

/** Replaces the text between the CONSOLE-SETTINGS markers. */
export function replaceConsoleBlock(cfg: string, commands: readonly string[]): string {
  const re = /(\n# CONSOLE-SETTINGS-START\n)[\s\S]*?(^# CONSOLE-SETTINGS-END$)/m;
  if (!re.test(cfg)) throw new UserError('missing substitution marker in grub.cfg');
  const body = commands.join('\n') + (commands.length > 0 ? '\n' : '');
  return cfg.replace(re, (_all, start: string, end: string) => `${start}${body}${end}`);
}
