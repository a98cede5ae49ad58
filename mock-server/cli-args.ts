// The `oss-mock` command line (docs/architecture.md#contracts), parsed by a pure function so it can be tested.
import { isValidBucketName } from '../protocol/addressing.js';
import { parseDuration } from './control/restore-delay.js';
import { OPERATIONS, type OperationName } from './exchange/exchange.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './exchange/config.js';
import { ACCESS_LEVELS, type AccessLevel, type Permissions, type StsCredential } from './exchange/identity.js';
import { parseDuration as parseClockOffset } from './clock.js';
import { parseRate } from './rates/parse-rate.js';
import type { MockOssOptions } from './index.js';

export const DEFAULT_CLI_PORT = 9000;

export const USAGE = `Usage: oss-mock [options]

A fake Alibaba Cloud OSS endpoint.

Options:
  --port PORT                 port to listen on (default ${DEFAULT_CLI_PORT}; 0 takes a free port)
  --host HOST                 address to bind (default 127.0.0.1)
  --data-dir DIR              keep buckets and objects in DIR (default: in memory)
  --access-key-id ID          access key id clients sign with (default oss-mock-access-key-id)
  --access-key-secret SECRET  its secret (default oss-mock-access-key-secret)
  --credential ID:SECRET      one more key pair clients may sign with (repeatable)
  --sts ID:SECRET:TOKEN[:EXPIRY]
                              an STS temporary credential: requests carry TOKEN in x-oss-security-token (or the
                              security-token presign parameter); EXPIRY is an ISO 8601 time or a duration from
                              start such as 15m or 1h (default: never) (repeatable)
  --permission ID:ACCESS[:BUCKETS]
                              what identity ID may do: ACCESS is read-only, write-only, full, or operation names
                              joined by commas (PutObject,GetObject); BUCKETS are names joined by commas, * matching
                              any characters (default: every bucket); identities without one have full access
                              (repeatable)
  --region REGION             region, e.g. cn-hangzhou (default cn-hangzhou)
  --auth on|off               verify signatures (default on); off accepts anonymous and any signature
  --ingest-rate RATE          default request-body rate limit, e.g. 262144, 256KiB/s, 2MiB/s
  --egress-rate RATE          default response-body rate limit, same forms
  --control-token TOKEN       require "Authorization: Bearer TOKEN" on /_mock/ calls
  --idle-timeout MS           answer RequestTimeout when headers or a body stop arriving for MS (default 60000)
  --max-header-bytes N        answer larger request headers with InvalidRequest (default 16384)
  --max-connections N         answer connections beyond N with 503 ServiceUnavailable (default: no cap)
  --restore-delay DURATION    how long a RestoreObject takes: ms, or 500ms, 2s, 1m (default 1s; 0: at once)
  --clock-offset DURATION     run the server's clock this far from real time, e.g. 20m, -90s, 1h30m (Date header,
                              signature time checks, presign expiry); POST /_mock/clock changes it at run time
  --log-level LEVEL           silent, error (5xx and cut requests), info (one line per OSS request) or debug (also
                              control API calls) (default info)
  --log-format FORMAT         text or json (one object per line) (default text)
  --base-domain DOMAIN        answer virtual-hosted requests for BUCKET.DOMAIN too, besides localhost and
                              *.aliyuncs.com (repeatable)
  --bucket NAME               create bucket NAME at start when missing (repeatable)
  --ready-json                print one JSON line (endpoint, port, credentials, region, version) on stdout when
                              listening, instead of the banner
  --port-file PATH            write the port listened on to PATH when listening (with --port 0)
  --version                   print the version
  --help                      show this help

Environment: OSS_MOCK_CREDENTIAL, OSS_MOCK_STS and OSS_MOCK_PERMISSION hold the values of --credential, --sts and
--permission (and OSS_MOCK_BUCKET of --bucket), several separated by spaces or newlines; the flags, when given, replace them. OSS_MOCK_LOG_LEVEL and
OSS_MOCK_LOG_FORMAT hold defaults for --log-level and --log-format.
`;

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export interface CliOutputs {
  /** print one JSON line with the endpoint and credentials instead of the banner */
  readyJson?: boolean;
  /** write the port listened on to this file once listening */
  portFile?: string;
}

export type CliCommand =
  | { help: true; version?: false }
  | { help: false; version: true }
  | { help: false; version?: false; options: MockOssOptions & { port: number }; outputs: CliOutputs };

type Setter = (options: MockOssOptions, value: string) => void;

/** Flags that may be given more than once: their values collect into lists. */
const REPEATABLE = {
  '--credential': 'OSS_MOCK_CREDENTIAL',
  '--sts': 'OSS_MOCK_STS',
  '--permission': 'OSS_MOCK_PERMISSION',
  '--bucket': 'OSS_MOCK_BUCKET',
  '--base-domain': 'OSS_MOCK_BASE_DOMAIN',
} as const;
type RepeatableFlag = keyof typeof REPEATABLE;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `ID:SECRET` */
function credential(value: string): { accessKeyId: string; accessKeySecret: string } {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) {
    throw new CliUsageError(`--credential: "${value}" is not ID:SECRET`);
  }
  return { accessKeyId: value.slice(0, colon), accessKeySecret: value.slice(colon + 1) };
}

/** An ISO 8601 time, or a duration from `now` such as 90s, 15m, 1h30m, 2d. */
export function parseExpiry(text: string, now: Date): Date | undefined {
  const duration = /^(?:\d+[smhd])+$/.test(text)
    ? [...text.matchAll(/(\d+)([smhd])/g)].reduce((ms, m) => ms + Number(m[1]) * UNIT_MS[m[2]!]!, 0)
    : undefined;
  if (duration !== undefined) return new Date(now.getTime() + duration);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** `ID:SECRET:TOKEN[:EXPIRY]`: EXPIRY is the rest, so an ISO time's own colons are kept. */
function stsCredential(value: string, now: Date): StsCredential {
  const [accessKeyId, accessKeySecret, securityToken, ...rest] = value.split(':');
  if (!accessKeyId || !accessKeySecret || !securityToken) {
    throw new CliUsageError(`--sts: "${value}" is not ID:SECRET:TOKEN[:EXPIRY]`);
  }
  const sts: StsCredential = { accessKeyId, accessKeySecret, securityToken };
  if (rest.length > 0) {
    const text = rest.join(':');
    const expiration = parseExpiry(text, now);
    if (expiration === undefined) {
      throw new CliUsageError(`--sts: expiry "${text}" is neither an ISO 8601 time nor a duration like 15m or 1h`);
    }
    sts.expiration = expiration;
  }
  return sts;
}

/** `ID:ACCESS[:BUCKETS]` */
function permission(value: string): [string, Permissions] {
  const [id, access, buckets, ...rest] = value.split(':');
  if (!id || !access || rest.length > 0 || buckets === '') {
    throw new CliUsageError(`--permission: "${value}" is not ID:ACCESS[:BUCKET,...]`);
  }
  const p: Permissions = {};
  if ((ACCESS_LEVELS as readonly string[]).includes(access)) {
    p.access = access as AccessLevel;
  } else {
    const names = access.split(',');
    const bad = names.find((n) => !(OPERATIONS as readonly string[]).includes(n));
    if (bad !== undefined) {
      throw new CliUsageError(
        `--permission: "${bad}" is neither ${ACCESS_LEVELS.join(', ')} nor an OSS operation name like GetObject`,
      );
    }
    p.access = names as OperationName[];
  }
  if (buckets !== undefined) p.buckets = buckets.split(',');
  return [id, p];
}

function applyRepeatable(options: MockOssOptions, flag: RepeatableFlag, values: readonly string[], now: Date): void {
  if (values.length === 0) return;
  switch (flag) {
    case '--credential':
      options.credentials = values.map(credential);
      return;
    case '--sts':
      options.sts = values.map((v) => stsCredential(v, now));
      return;
    case '--base-domain':
      options.baseDomains = [...values];
      return;
    case '--bucket': {
      const bad = values.find((v) => !isValidBucketName(v));
      if (bad !== undefined) throw new CliUsageError(`--bucket: "${bad}" is not a valid bucket name`);
      options.buckets = [...values];
      return;
    }
    case '--permission': {
      const permissions: Record<string, Permissions> = {};
      for (const [id, p] of values.map(permission)) {
        if (id in permissions) throw new CliUsageError(`--permission: "${id}" is given twice`);
        permissions[id] = p;
      }
      options.permissions = permissions;
      return;
    }
  }
}

function rate(flag: string, value: string): number {
  const bytes = parseRate(value);
  if (bytes === undefined) {
    throw new CliUsageError(`${flag}: "${value}" is not a rate; write bytes/s like 262144, 256KiB/s or 2MiB/s`);
  }
  return bytes;
}

function positiveInteger(flag: string, value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) === 0) {
    throw new CliUsageError(`${flag}: "${value}" is not a positive integer`);
  }
  return Number(value);
}

/** The `oss-mock` command logs every OSS request, as LocalStack and MinIO do; startMockOss() in a test is silent. */
export const DEFAULT_CLI_LOG_LEVEL: LogLevel = 'info';

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CliUsageError(`${flag}: "${value}" must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

const FLAGS: Record<string, Setter> = {
  '--port-file': () => undefined,
  '--log-level': (o, v) => (o.logLevel = oneOf('--log-level', v, LOG_LEVELS)),
  '--log-format': (o, v) => (o.logFormat = oneOf<LogFormat>('--log-format', v, LOG_FORMATS)),
  '--port': (o, v) => {
    if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new CliUsageError(`--port: "${v}" is not a port (0-65535)`);
    o.port = Number(v);
  },
  '--host': (o, v) => (o.host = v),
  '--data-dir': (o, v) => (o.dataDir = v),
  '--access-key-id': (o, v) => (o.accessKeyId = v),
  '--access-key-secret': (o, v) => (o.accessKeySecret = v),
  '--region': (o, v) => (o.region = v),
  '--auth': (o, v) => {
    if (v !== 'on' && v !== 'off') throw new CliUsageError(`--auth: "${v}" must be on or off`);
    o.auth = v === 'on';
  },
  '--ingest-rate': (o, v) => (o.ingestRate = rate('--ingest-rate', v)),
  '--egress-rate': (o, v) => (o.egressRate = rate('--egress-rate', v)),
  '--control-token': (o, v) => (o.controlToken = v),
  '--idle-timeout': (o, v) => (o.bodyIdleTimeoutMs = positiveInteger('--idle-timeout', v)),
  '--max-header-bytes': (o, v) => (o.maxHeaderBytes = positiveInteger('--max-header-bytes', v)),
  '--max-connections': (o, v) => (o.maxConnections = positiveInteger('--max-connections', v)),
  '--restore-delay': (o, v) => {
    const ms = parseDuration(v);
    if (ms === undefined)
      throw new CliUsageError(`--restore-delay: "${v}" is not a duration like 0, 1500, 500ms or 2s`);
    o.restoreDelayMs = ms;
  },
  '--clock-offset': (o, v) => {
    const ms = parseClockOffset(v);
    if (ms === undefined)
      throw new CliUsageError(`--clock-offset: "${v}" is not a duration; write e.g. 20m, -90s or 1h30m`);
    o.clockOffsetMs = ms;
  },
};

/**
 * Accepts `--flag value` and `--flag=value`; throws CliUsageError with a message for the user. `env` supplies the
 * repeatable identity flags (OSS_MOCK_CREDENTIAL, OSS_MOCK_STS, OSS_MOCK_PERMISSION) when the command line does not.
 */
export function parseCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  now: Date = new Date(),
): CliCommand {
  const options: MockOssOptions & { port: number } = { port: DEFAULT_CLI_PORT, logLevel: DEFAULT_CLI_LOG_LEVEL };
  const envLevel = env.OSS_MOCK_LOG_LEVEL;
  if (envLevel !== undefined && envLevel !== '') FLAGS['--log-level']!(options, envLevel);
  const envFormat = env.OSS_MOCK_LOG_FORMAT;
  if (envFormat !== undefined && envFormat !== '') FLAGS['--log-format']!(options, envFormat);
  const repeated = new Map<RepeatableFlag, string[]>();
  const outputs: CliOutputs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--version') return { help: false, version: true };
    if (arg === '--ready-json') {
      outputs.readyJson = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const set =
      flag in REPEATABLE
        ? (_o: MockOssOptions, v: string) =>
            repeated.set(flag as RepeatableFlag, [...(repeated.get(flag as RepeatableFlag) ?? []), v])
        : FLAGS[flag];
    if (set === undefined) throw new CliUsageError(`unknown option "${arg}"`);
    let value: string | undefined;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new CliUsageError(`${flag} needs a value`);
      i++;
    }
    if (flag === '--port-file') outputs.portFile = value;
    else set(options, value);
  }
  for (const [flag, variable] of Object.entries(REPEATABLE) as Array<[RepeatableFlag, string]>) {
    const values = repeated.get(flag) ?? (env[variable] ?? '').split(/\s+/).filter((v) => v !== '');
    applyRepeatable(options, flag, values, now);
  }
  return { help: false, options, outputs };
}
