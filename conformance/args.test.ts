import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from './args.js';

describe('parseArgs', () => {
  it('defaults: embedded target, default drivers, reports/ directory, every scenario', () => {
    expect(parseArgs(['run'])).toEqual({
      command: 'run',
      target: 'embedded',
      drivers: [],
      reportDir: 'reports',
      filter: [],
      timeoutScale: 1,
    });
  });

  it('takes repeated drivers, a target URL, a report dir and filters in every spelling', () => {
    const args = parseArgs([
      'run',
      '--target',
      'https://oss-cn-hangzhou.aliyuncs.com',
      '--driver',
      'builtin',
      '--driver=process:./drv --flag',
      '--report',
      'out',
      '--filter',
      'INT',
      'MPU-002',
      '--filter=WIRE-001,WIRE-002',
      '--timeout-scale',
      '2.5',
    ]);
    expect(args).toEqual({
      command: 'run',
      target: 'https://oss-cn-hangzhou.aliyuncs.com',
      drivers: ['builtin', 'process:./drv --flag'],
      reportDir: 'out',
      filter: ['INT', 'MPU-002', 'WIRE-001', 'WIRE-002'],
      timeoutScale: 2.5,
    });
  });

  it('answers help and list', () => {
    expect(parseArgs([])).toEqual({ command: 'help' });
    expect(parseArgs(['run', '--help'])).toEqual({ command: 'help' });
    expect(parseArgs(['list', '--filter', 'RES'])).toEqual({ command: 'list', filter: ['RES'] });
  });

  it('refuses unknown commands, unknown flags and missing values', () => {
    expect(() => parseArgs(['go'])).toThrow(UsageError);
    expect(() => parseArgs(['run', '--drivers', 'x'])).toThrow('unknown argument "--drivers"');
    expect(() => parseArgs(['run', '--driver'])).toThrow('--driver needs a value');
    expect(() => parseArgs(['run', '--report', '--filter', 'INT'])).toThrow('--report needs a value');
    expect(() => parseArgs(['run', '--timeout-scale', '0'])).toThrow('--timeout-scale needs a positive number');
  });
});
