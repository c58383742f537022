import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consoleGrubCommands, consoleKarg, parseConsole, replaceConsoleBlock } from '../../../src/install/console.js';

test('console specs normalise as upstream', () => {
  assert.equal(consoleKarg(parseConsole('ttyS0')), 'console=ttyS0,9600n8');
  assert.equal(consoleKarg(parseConsole('ttyS1,115200')), 'console=ttyS1,115200n8');
  assert.equal(consoleKarg(parseConsole('ttyAMA0,115200e7')), 'console=ttyAMA0,115200e7');
  assert.equal(consoleKarg(parseConsole('tty0')), 'console=tty0');
  assert.throws(() => parseConsole('console=ttyS0'));
  assert.throws(() => parseConsole('/dev/ttyS0'));
  assert.throws(() => parseConsole('ttyS0,115200x'));
});

test('GRUB commands', () => {
  assert.deepEqual(consoleGrubCommands([parseConsole('tty0'), parseConsole('ttyS1,115200n8')]), [
    'serial --unit=1 --speed=115200 --word=8 --parity=no',
    'terminal_input console serial',
    'terminal_output console serial',
  ]);
});

test('console block replacement', () => {
  const cfg = 'a\n# CONSOLE-SETTINGS-START\nold\n# CONSOLE-SETTINGS-END\nb\n';
  assert.equal(replaceConsoleBlock(cfg, ['x', 'y']), 'a\n# CONSOLE-SETTINGS-START\nx\ny\n# CONSOLE-SETTINGS-END\nb\n');
  assert.equal(replaceConsoleBlock(cfg, []), 'a\n# CONSOLE-SETTINGS-START\n# CONSOLE-SETTINGS-END\nb\n');
  assert.throws(() => replaceConsoleBlock('no markers', ['x']), /missing substitution marker in grub.cfg/);
});
