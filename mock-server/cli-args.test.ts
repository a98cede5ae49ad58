import { describe, expect, it } from 'vitest';
import { CliUsageError, DEFAULT_CLI_PORT, parseCliArgs } from './cli-args.js';

describe('parseCliArgs (docs/architecture.md#contracts)', () => {
  it('defaults to port 9000 and takes every documented flag', () => {
    expect(parseCliArgs([])).toEqual({
      help: false,
      options: { port: DEFAULT_CLI_PORT, logLevel: 'info' },
      outputs: {},
    });
    const cmd = parseCliArgs([
      '--port', '0', '--host', '0.0.0.0', '--data-dir', '/tmp/d', '--access-key-id', 'id',
      '--access-key-secret=s', '--region', 'cn-beijing', '--auth', 'off', '--ingest-rate', '256KiB/s',
      '--egress-rate', '2MiB/s', '--control-token', 'tok', '--idle-timeout', '5000', '--max-header-bytes=8192',
      '--max-connections', '64', '--restore-delay', '2s', '--log-level', 'debug', '--log-format', 'json',
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
        logLevel: 'debug',
        logFormat: 'json',
      },
      outputs: {},
    });
  });

  it('--base-domain (repeatable, OSS_MOCK_BASE_DOMAIN) sets the virtual-hosted base domains', () => {
    expect(parseCliArgs(['--base-domain', 'oss.test', '--base-domain', 'example.internal'])).toMatchObject({
      options: { baseDomains: ['oss.test', 'example.internal'] },
    });
    expect(parseCliArgs([], { OSS_MOCK_BASE_DOMAIN: 'env.test' })).toMatchObject({
      options: { baseDomains: ['env.test'] },
    });
  });

  it('reads OSS_MOCK_LOG_LEVEL and OSS_MOCK_LOG_FORMAT; the flags win', () => {
    const env = { OSS_MOCK_LOG_LEVEL: 'silent', OSS_MOCK_LOG_FORMAT: 'json' };
    expect(parseCliArgs([], env)).toMatchObject({ options: { logLevel: 'silent', logFormat: 'json' } });
    expect(parseCliArgs(['--log-level', 'error'], env)).toMatchObject({ options: { logLevel: 'error' } });
    expect(() => parseCliArgs([], { OSS_MOCK_LOG_LEVEL: 'loud' })).toThrow(/--log-level: "loud" must be one of/);
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
    [['--log-level', 'warn'], /--log-level: "warn" must be one of silent, error, info, debug/],
    [['--log-format', 'xml'], /--log-format/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('collects --credential, --sts and --permission, repeatable', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const cmd = parseCliArgs(
      [
        '--credential', 'reader:r-secret', '--credential=writer:w:secret',
        '--sts', 'STS.a:sa:tok-a', '--sts', 'STS.b:sb:tok+/=b:15m', '--sts', 'STS.c:sc:tok-c:2030-02-03T04:05:06Z',
        '--permission', 'reader:read-only:photos,logs-*', '--permission', 'writer:PutObject,GetObject',
      ],
      {},
      now,
    ); // prettier-ignore
    expect(cmd).toMatchObject({
      options: {
        credentials: [
          { accessKeyId: 'reader', accessKeySecret: 'r-secret' },
          { accessKeyId: 'writer', accessKeySecret: 'w:secret' },
        ],
        sts: [
          { accessKeyId: 'STS.a', accessKeySecret: 'sa', securityToken: 'tok-a' },
          { accessKeyId: 'STS.b', securityToken: 'tok+/=b', expiration: new Date('2030-01-01T00:15:00Z') },
          { accessKeyId: 'STS.c', expiration: new Date('2030-02-03T04:05:06Z') },
        ],
        permissions: {
          reader: { access: 'read-only', buckets: ['photos', 'logs-*'] },
          writer: { access: ['PutObject', 'GetObject'] },
        },
      },
    });
  });

  it('reads OSS_MOCK_CREDENTIAL, OSS_MOCK_STS and OSS_MOCK_PERMISSION; the flags replace them', () => {
    const env = {
      OSS_MOCK_CREDENTIAL: 'a:1 b:2\nc:3',
      OSS_MOCK_STS: 'STS.x:s:t',
      OSS_MOCK_PERMISSION: 'a:write-only',
    };
    const fromEnv = parseCliArgs([], env);
    expect(fromEnv).toMatchObject({
      options: {
        credentials: [{ accessKeyId: 'a' }, { accessKeyId: 'b' }, { accessKeyId: 'c' }],
        sts: [{ accessKeyId: 'STS.x' }],
        permissions: { a: { access: 'write-only' } },
      },
    });
    expect(parseCliArgs(['--credential', 'd:4'], env)).toMatchObject({
      options: { credentials: [{ accessKeyId: 'd', accessKeySecret: '4' }], sts: [{ accessKeyId: 'STS.x' }] },
    });
  });

  it.each([
    [['--credential', 'nosecret'], /--credential: "nosecret" is not ID:SECRET/],
    [['--sts', 'a:b'], /--sts: "a:b" is not ID:SECRET:TOKEN/],
    [['--sts', 'a:b:c:tomorrow'], /--sts: expiry "tomorrow"/],
    [['--permission', 'a:read-mostly'], /"read-mostly" is neither/],
    [['--permission', 'a:full', '--permission', 'a:read-only'], /"a" is given twice/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
