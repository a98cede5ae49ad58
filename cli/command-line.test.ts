import { describe, expect, it } from 'vitest';
import { parseCommand, renderHelp, UsageError, usageErrorText, type CommandSpec } from './command-line.js';

const spec: CommandSpec = {
  name: 'tool run',
  synopsis: '[options] [ID...]',
  summary: 'Runs things.',
  options: {
    target: { type: 'string', value: 'T', help: 'where\nsecond line' },
    driver: { type: 'string', multiple: true, value: 'NAME', help: 'which' },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
  positionals: true,
  footer: 'Exit status: 0.',
};

describe('the shared command-line layer', () => {
  it('parses values, repeated options and positionals', () => {
    expect(parseCommand(spec, ['--target=x', '--driver', 'a', '--driver', 'b', 'ID-1', '-h'])).toEqual({
      values: { target: 'x', driver: ['a', 'b'], help: true },
      positionals: ['ID-1'],
    });
  });

  it('turns parse errors into short UsageErrors', () => {
    expect(() => parseCommand(spec, ['--nope'])).toThrow(new UsageError('unknown option --nope'));
    expect(() => parseCommand(spec, ['--target'])).toThrow(new UsageError('--target needs a value'));
    expect(() => parseCommand({ ...spec, positionals: false }, ['x'])).toThrow(new UsageError('unexpected argument x'));
  });

  it('renders the help from the same table, and a usage error as GNU tools do', () => {
    expect(renderHelp(spec)).toBe(
      'Usage: tool run [options] [ID...]\n\nRuns things.\n\nOptions:\n' +
        '  --target T     where\n' +
        '                 second line\n' +
        '  --driver NAME  which (repeatable)\n' +
        '  -h, --help     show this help\n\nExit status: 0.\n',
    );
    expect(usageErrorText('tool', new UsageError('bad'), 'tool run --help')).toBe(
      "tool: bad\nTry 'tool run --help' for more information.\n",
    );
  });
});
