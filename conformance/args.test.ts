import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from './args.js';

describe('parseArgs', () => {
  it('defaults: embedded target, every driver, reports/ directory, every scenario, no environment columns', () => {
    expect(parseArgs(['run'])).toEqual({
      command: 'run',
      target: 'embedded',
      drivers: [],
      reportDir: 'reports',
      filter: [],
      timeoutScale: 1,
      envMatrix: [],
      envFilter: [],
    });
  });

  it('takes repeated drivers, a target URL, a report dir, filters in every spelling, environments and a summary', () => {
    const args = parseArgs([
      'run',
      '--target',
      'https://oss-cn-hangzhou.aliyuncs.com',
      '--driver',
      'builtin',
      '--driver=process:./drv --flag',
      '--driver',
      'python-oss2@2.18.0',
      '--report',
      'out',
      '--filter',
      'INT',
      'MPU-002',
      '--filter=WIRE-001,WIRE-002',
      '--timeout-scale',
      '2.5',
      '--env',
      'TZ=UTC',
      '--env=TZ=Asia/Shanghai',
      '--env-filter',
      'RES',
      '--summary',
      'summary.md',
      '--cache',
      '/tmp/c',
    ]);
    expect(args).toEqual({
      command: 'run',
      target: 'https://oss-cn-hangzhou.aliyuncs.com',
      drivers: ['builtin', 'process:./drv --flag', 'python-oss2@2.18.0'],
      reportDir: 'out',
      filter: ['INT', 'WIRE-001', 'WIRE-002', 'MPU-002'],
      timeoutScale: 2.5,
      envMatrix: [{ TZ: 'UTC' }, { TZ: 'Asia/Shanghai' }],
      envFilter: ['RES'],
      summaryFile: 'summary.md',
      cacheDir: '/tmp/c',
    });
  });

  it('answers help, version and list', () => {
    expect(parseArgs(['--help'])).toEqual({ command: 'help' });
    expect(parseArgs(['--version'])).toEqual({ command: 'version' });
    expect(parseArgs(['run', '--help'])).toEqual({ command: 'help', topic: 'run' });
    expect(parseArgs(['help', 'list'])).toEqual({ command: 'help', topic: 'list' });
    expect(parseArgs(['list', '--filter', 'RES'])).toEqual({ command: 'list', filter: ['RES'], json: false });
    expect(parseArgs(['list', '--json', 'INT-001'])).toEqual({ command: 'list', filter: ['INT-001'], json: true });
  });

  it('refuses no command, unknown commands, unknown flags, missing values and bad environments', () => {
    expect(() => parseArgs([])).toThrow(UsageError);
    expect(() => parseArgs(['go'])).toThrow('unknown command "go"');
    expect(() => parseArgs(['run', '--drivers', 'x'])).toThrow('unknown option "--drivers"');
    expect(() => parseArgs(['run', '--driver'])).toThrow('--driver needs a value');
    expect(() => parseArgs(['run', '--timeout-scale', '0'])).toThrow('--timeout-scale needs a positive number');
    expect(() => parseArgs(['run', '--env', 'TZ'])).toThrow('expected NAME=VALUE');
    expect(() => parseArgs(['run', '--env-filter', 'RES'])).toThrow('--env-filter needs at least one --env');
  });
});
