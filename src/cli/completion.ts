/**
 * `completion bash|zsh`: the shell completion script, made by yargs' own generator. The script
 * asks the program itself for candidates (`--get-yargs-completions`), so it follows the command
 * tree as it is. yargs picks the template from the environment's shell; the command names it.
 */
import yargs, { type Argv } from 'yargs';
import { FLAVORS } from '../flavor.js';
import { flavorOf, requiredValue } from './options.js';

export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;

/** The completion script for `shell`, for the program named `program` (found on PATH). */
export function completionScript(program: string, shell: (typeof COMPLETION_SHELLS)[number]): string {
  const saved = { SHELL: process.env['SHELL'], ZSH_NAME: process.env['ZSH_NAME'] };
  process.env['SHELL'] = shell === 'zsh' ? '/bin/zsh' : '/bin/bash';
  delete process.env['ZSH_NAME'];
  let script = '';
  try {
    const generator = yargs([]).scriptName(program).completion();
    const log = console.log;
    console.log = (text: string) => void (script += `${text}\n`);
    try {
      // The second argument names the command in the script's installation comment.
      (generator.showCompletionScript as (app: string, command: string) => unknown)(program, `completion ${shell}`);
    } finally {
      console.log = log;
    }
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  return script;
}

export function completionCommands(y: Argv): Argv {
  return y.command(
    'completion <shell>',
    'Print a shell completion script (bash or zsh)',
    (y) => y.positional('shell', { type: 'string', choices: COMPLETION_SHELLS, describe: 'Shell to complete in' }),
    (a: Record<string, unknown>) => {
      const shell = requiredValue(a, 'shell') as (typeof COMPLETION_SHELLS)[number];
      process.stdout.write(completionScript(FLAVORS[flavorOf(a)].program, shell));
    },
  );
}
