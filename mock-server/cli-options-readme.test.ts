// One table of option definitions (mock-server/cli-args.ts) drives oss-mock's parser, its help, its OSS_MOCK_*
// environment variables and the README's table of them: an option added, renamed or given another default without
// the README, or without a working environment variable, fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmeTableRows } from '../testkit/readme-table.js';
import { MOCK_OPTIONS, parseCliArgs, USAGE } from './cli-args.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function flagOf(name: string): string {
  const o = MOCK_OPTIONS[name]!;
  return `--${name}${o.type === 'string' ? ` ${o.value}` : ''}`;
}

/** A valid value for each option, given once as the flag and once as its environment variable. */
const SAMPLES: Record<string, string> = {
  port: '0',
  host: '0.0.0.0',
  'data-dir': '/tmp/oss-mock-env-sample',
  'access-key-id': 'env-id',
  'access-key-secret': 'env-secret',
  credential: 'reader:r-secret',
  sts: 'STS.env:s:tok:2030-01-01T00:00:00Z',
  permission: 'reader:read-only:photos',
  region: 'cn-beijing',
  auth: 'off',
  'ingest-rate': '256KiB/s',
  'egress-rate': '2MiB/s',
  'control-token': 'tok',
  'idle-timeout': '5000',
  'max-header-bytes': '8192',
  'max-connections': '64',
  'restore-delay': '2s',
  'clock-offset': '-90s',
  'log-level': 'debug',
  'log-format': 'json',
  'base-domain': 'oss.test',
  bucket: 'env-bucket',
  'port-file': '/tmp/oss-mock-env-sample.port',
};

const CONFIGURABLE = Object.keys(MOCK_OPTIONS).filter((name) => name !== 'help' && name !== 'version');

describe('oss-mock options: README table, help and environment variables', () => {
  it('the README table lists every option in order, with its environment variable and default', () => {
    const rows = readmeTableRows(README, 'cli-options');
    expect(rows.map(([flag, env, dflt]) => [flag, env, dflt])).toEqual(
      Object.entries(MOCK_OPTIONS).map(([name, o]) => [flagOf(name), o.env ?? '', o.default ?? '']),
    );
    for (const row of rows) expect(row[3], `meaning of ${row[0]}`).not.toBe('');
  });

  it('every option but --help and --version has an OSS_MOCK_* variable; the help names every option', () => {
    for (const name of CONFIGURABLE) {
      expect(MOCK_OPTIONS[name]!.env).toBe(`OSS_MOCK_${name.toUpperCase().replace(/-/g, '_')}`);
    }
    expect(MOCK_OPTIONS.help!.env).toBeUndefined();
    expect(MOCK_OPTIONS.version!.env).toBeUndefined();
    for (const name of Object.keys(MOCK_OPTIONS)) expect(USAGE).toContain(flagOf(name));
  });

  it.each(CONFIGURABLE)('--%s and its environment variable configure the same', (name) => {
    const o = MOCK_OPTIONS[name]!;
    const now = new Date('2029-06-01T00:00:00Z');
    const viaFlag = o.type === 'boolean' ? [`--${name}`] : [`--${name}`, SAMPLES[name]!];
    const envValue = o.type === 'boolean' ? '1' : SAMPLES[name]!;
    expect(envValue, `a sample value for --${name}`).toBeDefined();
    const fromFlag = parseCliArgs(viaFlag, {}, now);
    const fromEnv = parseCliArgs([], { [o.env!]: envValue }, now);
    expect(fromEnv).toEqual(fromFlag);
    expect(fromEnv).not.toEqual(parseCliArgs([], {}, now)); // the variable changed something
  });

  it('an option on the command line wins over its variable; a bad value names the variable', () => {
    expect(parseCliArgs(['--region', 'cn-shanghai'], { OSS_MOCK_REGION: 'cn-beijing' })).toMatchObject({
      options: { region: 'cn-shanghai' },
    });
    expect(parseCliArgs(['--bucket', 'argv-bucket'], { OSS_MOCK_BUCKET: 'a-bucket b-bucket' })).toMatchObject({
      options: { buckets: ['argv-bucket'] },
    });
    expect(() => parseCliArgs([], { OSS_MOCK_PORT: 'http' })).toThrow(
      '--port: "http" is not a port (0-65535) (from OSS_MOCK_PORT)',
    );
    expect(() => parseCliArgs([], { OSS_MOCK_READY_JSON: 'sure' })).toThrow(/OSS_MOCK_READY_JSON: "sure" is neither/);
    // an empty variable is as good as unset
    expect(parseCliArgs([], { OSS_MOCK_PORT: '' })).toMatchObject({ options: { port: 9000 } });
  });
});
