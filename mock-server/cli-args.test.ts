import { describe, expect, it } from 'vitest';
import { CliUsageError, DEFAULT_CLI_PORT, parseCliArgs } from './cli-args.js';

describe('parseCliArgs (DESIGN.md "Contracts", CLI)', () => {
  it('defaults to port 9000 and takes every documented flag', () => {
    expect(parseCliArgs([])).toEqual({ help: false, options: { port: DEFAULT_CLI_PORT } });
    const cmd = parseCliArgs([
      '--port', '0', '--host', '0.0.0.0', '--data-dir', '/tmp/d', '--access-key-id', 'id',
      '--access-key-secret=s', '--region', 'cn-beijing', '--auth', 'off', '--ingest-rate', '256KiB/s',
      '--egress-rate', '2MiB/s', '--control-token', 'tok', '--idle-timeout', '5000', '--max-header-bytes=8192',
      '--max-connections', '64', '--restore-delay', '2s',
    ]); // prettier-ignore
    expect(cmd).toEqual({
      help: false,
      options: {
        port: 0,
        host: '0.0.0.0',
        dataDir: '/tmp/d',
        accessKeyId: 'id',
        accessKeySecret: 's',
        region: 'cn-beijing',
        auth: false,
        ingestRate: 262_144,
        egressRate: 2 * 1024 * 1024,
        controlToken: 'tok',
        bodyIdleTimeoutMs: 5000,
        maxHeaderBytes: 8192,
        maxConnections: 64,
        restoreDelayMs: 2000,
      },
    });
  });

  it.each([
    ['0', 0],
    ['1500', 1500],
    ['250ms', 250],
    ['1.5s', 1500],
    ['2m', 120_000],
  ])('--restore-delay %s is %d ms', (value, ms) => {
    expect(parseCliArgs(['--restore-delay', value])).toMatchObject({ options: { restoreDelayMs: ms } });
  });

  it('accepts a plain number of bytes/s as a rate', () => {
    expect(parseCliArgs(['--ingest-rate', '262144'])).toMatchObject({ options: { ingestRate: 262_144 } });
  });

  it('answers --help', () => {
    expect(parseCliArgs(['--port', '1', '--help'])).toEqual({ help: true });
  });

  it.each([
    [['--ingest-rate', 'fast'], /--ingest-rate: "fast" is not a rate/],
    [['--auth', 'maybe'], /--auth/],
    [['--port', '70000'], /--port/],
    [['--port'], /--port needs a value/],
    [['--bogus'], /unknown option/],
    [['--idle-timeout', '0'], /--idle-timeout: "0" is not a positive integer/],
    [['--max-connections', '-1'], /--max-connections/],
    [['--restore-delay', 'soon'], /--restore-delay: "soon" is not a duration/],
    [['--restore-delay', '-5'], /--restore-delay/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
