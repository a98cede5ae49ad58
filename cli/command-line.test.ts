import { describe, expect, it } from 'vitest';
import { parseCommand, renderHelp, UsageError, usageErrorText, type CommandSpec } from './command-line.js';

const spec: CommandSpec = {
  name: 'tool run',
  synopsis: '[options] [ID...]',
  summary: 'Runs things.',
  options: {
    target: { type: 'string', value: 'T', help: 'where\nsecond line', default: 'here' },
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
      fromEnv: {},
    });
  });

  it('turns parse errors into short UsageErrors', () => {
    expect(() => parseCommand(spec, ['--nope'])).toThrow(new UsageError('unknown option "--nope"'));
    expect(() => parseCommand(spec, ['--nope=1'])).toThrow(new UsageError('unknown option "--nope"'));
    expect(() => parseCommand(spec, ['-x'])).toThrow(new UsageError('unknown option "-x"'));
    expect(() => parseCommand(spec, ['--target'])).toThrow(new UsageError('--target needs a value'));
    expect(() => parseCommand(spec, ['--target', '--driver', 'a'])).toThrow(new UsageError('--target needs a value'));
    expect(() => parseCommand(spec, ['--help=yes'])).toThrow(new UsageError('--help takes no value'));
    expect(() => parseCommand({ ...spec, positionals: false }, ['x'])).toThrow(
      new UsageError('unexpected argument "x"'),
    );
  });

  it('takes a value that starts with one dash (a negative duration)', () => {
    expect(parseCommand(spec, ['--target', '-90s']).values).toEqual({ target: '-90s' });
    expect(parseCommand(spec, ['--target=--x']).values).toEqual({ target: '--x' });
  });

  it('fills options the command line did not give from their environment variables', () => {
    const withEnv: CommandSpec = {
      ...spec,
      options: {
        target: { ...spec.options.target!, env: 'T_TARGET' },
        driver: { ...spec.options.driver!, env: 'T_DRIVER' },
        json: { type: 'boolean', help: 'json', env: 'T_JSON' },
      },
    };
    const env = { T_TARGET: 'from-env', T_DRIVER: 'a  b\nc', T_JSON: 'yes' };
    expect(parseCommand(withEnv, [], env)).toEqual({
      values: { target: 'from-env', driver: ['a', 'b', 'c'], json: true },
      positionals: [],
      fromEnv: { target: 'T_TARGET', driver: 'T_DRIVER', json: 'T_JSON' },
    });
    // the command line wins, and replaces a repeatable option's whole list
    expect(parseCommand(withEnv, ['--target', 'argv', '--driver', 'd'], env).values).toEqual({
      target: 'argv',
      driver: ['d'],
      json: true,
    });
    expect(parseCommand(withEnv, [], { T_JSON: '0', T_TARGET: '' }).values).toEqual({ json: false });
    expect(() => parseCommand(withEnv, [], { T_JSON: 'maybe' })).toThrow(
      new UsageError('T_JSON: "maybe" is neither 1/true/yes/on nor 0/false/no/off'),
    );
  });

  it('renders the help from the same table, and a usage error as GNU tools do', () => {
    expect(renderHelp(spec)).toBe(
      'Usage: tool run [options] [ID...]\n\nRuns things.\n\nOptions:\n' +
        '  --target T     where\n' +
        '                 second line (default: here)\n' +
        '  --driver NAME  which (repeatable)\n' +
        '  -h, --help     show this help\n\nExit status: 0.\n',
    );
    expect(usageErrorText('tool', new UsageError('bad'), 'tool run --help')).toBe(
      "tool: bad\nTry 'tool run --help' for more information.\n",
    );
  });
});
