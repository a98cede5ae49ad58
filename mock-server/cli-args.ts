// The `oss-mock` command line (docs/architecture.md#contracts): one table of options drives the parser (the shared
// cli/command-line.ts, also oss-conformance's), the help, the OSS_MOCK_* environment variables and the README's
// table of them (mock-server/cli-options-readme.test.ts). Parsing is a pure function so it can be tested.
import { parseCommand, renderHelp, UsageError, type CommandSpec, type OptionSpec } from '../cli/command-line.js';
import { isValidBucketName } from '../protocol/addressing.js';
import { parseDuration } from './control/restore-delay.js';
import { OPERATIONS, type OperationName } from './exchange/exchange.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './exchange/config.js';
import { ACCESS_LEVELS, type AccessLevel, type Permissions, type StsCredential } from './exchange/identity.js';
import { parseDuration as parseClockOffset } from './clock.js';
import { parseRate } from './rates/parse-rate.js';
import type { MockOssOptions } from './index.js';

export const DEFAULT_CLI_PORT = 9000;

/** The `oss-mock` command logs every OSS request, as LocalStack and MinIO do; startMockOss() in a test is silent. */
export const DEFAULT_CLI_LOG_LEVEL: LogLevel = 'info';

/** A usage error of oss-mock: the shared layer's, so both bins report them alike. */
export const CliUsageError = UsageError;
export type CliUsageError = UsageError;

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

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `ID:SECRET` */
function credential(value: string): { accessKeyId: string; accessKeySecret: string } {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) {
    throw new UsageError(`--credential: "${value}" is not ID:SECRET`);
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
    throw new UsageError(`--sts: "${value}" is not ID:SECRET:TOKEN[:EXPIRY]`);
  }
  const sts: StsCredential = { accessKeyId, accessKeySecret, securityToken };
  if (rest.length > 0) {
    const text = rest.join(':');
    const expiration = parseExpiry(text, now);
    if (expiration === undefined) {
      throw new UsageError(`--sts: expiry "${text}" is neither an ISO 8601 time nor a duration like 15m or 1h`);
    }
    sts.expiration = expiration;
  }
  return sts;
}

/** `ID:ACCESS[:BUCKETS]` */
function permission(value: string): [string, Permissions] {
  const [id, access, buckets, ...rest] = value.split(':');
  if (!id || !access || rest.length > 0 || buckets === '') {
    throw new UsageError(`--permission: "${value}" is not ID:ACCESS[:BUCKET,...]`);
  }
  const p: Permissions = {};
  if ((ACCESS_LEVELS as readonly string[]).includes(access)) {
    p.access = access as AccessLevel;
  } else {
    const names = access.split(',');
    const bad = names.find((n) => !(OPERATIONS as readonly string[]).includes(n));
    if (bad !== undefined) {
      throw new UsageError(
        `--permission: "${bad}" is neither ${ACCESS_LEVELS.join(', ')} nor an OSS operation name like GetObject`,
      );
    }
    p.access = names as OperationName[];
  }
  if (buckets !== undefined) p.buckets = buckets.split(',');
  return [id, p];
}

function rate(flag: string, value: string): number {
  const bytes = parseRate(value);
  if (bytes === undefined) {
    throw new UsageError(`${flag}: "${value}" is not a rate; write bytes/s like 262144, 256KiB/s or 2MiB/s`);
  }
  return bytes;
}

function positiveInteger(flag: string, value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) === 0) {
    throw new UsageError(`${flag}: "${value}" is not a positive integer`);
  }
  return Number(value);
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag}: "${value}" must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

type Value = string | boolean | string[];

interface Target {
  options: MockOssOptions & { port: number };
  outputs: CliOutputs;
  now: Date;
}

/** One option of oss-mock: how the shared parser reads it, and what its value sets. */
interface MockOption extends OptionSpec {
  /** sets the value; throws a UsageError (`--flag: ...`) for a bad one */
  apply?: (t: Target, value: Value) => void;
}

const one = (v: Value): string => (typeof v === 'string' ? v : Array.isArray(v) ? (v[v.length - 1] ?? '') : '');
const all = (v: Value): string[] => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []);

/**
 * Every option of `oss-mock`, in help order. The environment variable of each (but --help and --version) is
 * OSS_MOCK_ and its name in capitals, `-` as `_` (MOCK_OPTIONS below).
 */
const OPTIONS: Record<string, MockOption> = {
  port: {
    type: 'string',
    value: 'PORT',
    help: 'port to listen on; 0 takes a free port',
    default: String(DEFAULT_CLI_PORT),
    apply: ({ options }, v) => {
      const text = one(v);
      if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
        throw new UsageError(`--port: "${text}" is not a port (0-65535)`);
      }
      options.port = Number(text);
    },
  },
  host: {
    type: 'string',
    value: 'HOST',
    help: 'address to bind',
    default: '127.0.0.1',
    apply: ({ options }, v) => (options.host = one(v)),
  },
  'data-dir': {
    type: 'string',
    value: 'DIR',
    help: 'keep buckets and objects in DIR, crash-safe (one server a DIR)',
    default: 'in memory',
    apply: ({ options }, v) => (options.dataDir = one(v)),
  },
  'access-key-id': {
    type: 'string',
    value: 'ID',
    help: 'access key id clients sign with',
    default: 'oss-mock-access-key-id',
    apply: ({ options }, v) => (options.accessKeyId = one(v)),
  },
  'access-key-secret': {
    type: 'string',
    value: 'SECRET',
    help: 'its secret',
    default: 'oss-mock-access-key-secret',
    apply: ({ options }, v) => (options.accessKeySecret = one(v)),
  },
  credential: {
    type: 'string',
    multiple: true,
    value: 'ID:SECRET',
    help: 'one more key pair clients may sign with',
    apply: ({ options }, v) => (options.credentials = all(v).map(credential)),
  },
  sts: {
    type: 'string',
    multiple: true,
    value: 'ID:SECRET:TOKEN[:EXPIRY]',
    help:
      'an STS temporary credential: requests carry TOKEN in x-oss-security-token (or the\n' +
      'security-token presign parameter); EXPIRY is an ISO 8601 time or a duration from\n' +
      'start such as 15m or 1h (default: never)',
    apply: ({ options, now }, v) => (options.sts = all(v).map((s) => stsCredential(s, now))),
  },
  permission: {
    type: 'string',
    multiple: true,
    value: 'ID:ACCESS[:BUCKETS]',
    help:
      'what identity ID may do: ACCESS is read-only, write-only, full, or operation names\n' +
      'joined by commas (PutObject,GetObject); BUCKETS are names joined by commas, * matching\n' +
      'any characters (default: every bucket); identities without one have full access',
    apply: ({ options }, v) => {
      const permissions: Record<string, Permissions> = {};
      for (const [id, p] of all(v).map(permission)) {
        if (id in permissions) throw new UsageError(`--permission: "${id}" is given twice`);
        permissions[id] = p;
      }
      options.permissions = permissions;
    },
  },
  region: {
    type: 'string',
    value: 'REGION',
    help: 'region, e.g. cn-hangzhou',
    default: 'cn-hangzhou',
    apply: ({ options }, v) => (options.region = one(v)),
  },
  auth: {
    type: 'string',
    value: 'on|off',
    help: 'verify signatures; off accepts anonymous and any signature',
    default: 'on',
    apply: ({ options }, v) => {
      const text = one(v);
      if (text !== 'on' && text !== 'off') throw new UsageError(`--auth: "${text}" must be on or off`);
      options.auth = text === 'on';
    },
  },
  'ingest-rate': {
    type: 'string',
    value: 'RATE',
    help: 'default request-body rate limit, e.g. 262144, 256KiB/s, 2MiB/s',
    default: 'unlimited',
    apply: ({ options }, v) => (options.ingestRate = rate('--ingest-rate', one(v))),
  },
  'egress-rate': {
    type: 'string',
    value: 'RATE',
    help: 'default response-body rate limit, same forms',
    default: 'unlimited',
    apply: ({ options }, v) => (options.egressRate = rate('--egress-rate', one(v))),
  },
  'control-token': {
    type: 'string',
    value: 'TOKEN',
    help: 'require "Authorization: Bearer TOKEN" on /_mock/ calls (without: loopback peers only)',
    apply: ({ options }, v) => (options.controlToken = one(v)),
  },
  'idle-timeout': {
    type: 'string',
    value: 'MS',
    help: 'answer RequestTimeout when headers or a body stop arriving for MS',
    default: '60000',
    apply: ({ options }, v) => (options.bodyIdleTimeoutMs = positiveInteger('--idle-timeout', one(v))),
  },
  'max-header-bytes': {
    type: 'string',
    value: 'N',
    help: 'answer larger request headers with InvalidRequest',
    default: '16384',
    apply: ({ options }, v) => (options.maxHeaderBytes = positiveInteger('--max-header-bytes', one(v))),
  },
  'max-connections': {
    type: 'string',
    value: 'N',
    help: 'answer connections beyond N with 503 ServiceUnavailable',
    default: 'no cap',
    apply: ({ options }, v) => (options.maxConnections = positiveInteger('--max-connections', one(v))),
  },
  'restore-delay': {
    type: 'string',
    value: 'DURATION',
    help: 'how long a RestoreObject takes: ms, or 500ms, 2s, 1m (0: at once)',
    default: '1s',
    apply: ({ options }, v) => {
      const ms = parseDuration(one(v));
      if (ms === undefined) {
        throw new UsageError(`--restore-delay: "${one(v)}" is not a duration like 0, 1500, 500ms or 2s`);
      }
      options.restoreDelayMs = ms;
    },
  },
  'clock-offset': {
    type: 'string',
    value: 'DURATION',
    help:
      "run the server's clock this far from real time, e.g. 20m, -90s, 1h30m (Date header,\n" +
      'signature time checks, presign expiry); POST /_mock/clock changes it at run time',
    default: '0',
    apply: ({ options }, v) => {
      const ms = parseClockOffset(one(v));
      if (ms === undefined) {
        throw new UsageError(`--clock-offset: "${one(v)}" is not a duration; write e.g. 20m, -90s or 1h30m`);
      }
      options.clockOffsetMs = ms;
    },
  },
  'log-level': {
    type: 'string',
    value: 'LEVEL',
    help:
      'silent, error (5xx and cut requests), info (one line per OSS request) or debug (also\n' + 'control API calls)',
    default: DEFAULT_CLI_LOG_LEVEL,
    apply: ({ options }, v) => (options.logLevel = oneOf('--log-level', one(v), LOG_LEVELS)),
  },
  'log-format': {
    type: 'string',
    value: 'FORMAT',
    help: 'text or json (one object per line)',
    default: 'text',
    apply: ({ options }, v) => (options.logFormat = oneOf<LogFormat>('--log-format', one(v), LOG_FORMATS)),
  },
  'base-domain': {
    type: 'string',
    multiple: true,
    value: 'DOMAIN',
    help: 'answer virtual-hosted requests for BUCKET.DOMAIN too, besides localhost and\n*.aliyuncs.com',
    apply: ({ options }, v) => (options.baseDomains = [...all(v)]),
  },
  bucket: {
    type: 'string',
    multiple: true,
    value: 'NAME',
    help: 'create bucket NAME at start when missing',
    apply: ({ options }, v) => {
      const bad = all(v).find((b) => !isValidBucketName(b));
      if (bad !== undefined) throw new UsageError(`--bucket: "${bad}" is not a valid bucket name`);
      options.buckets = [...all(v)];
    },
  },
  'ready-json': {
    type: 'boolean',
    help:
      'print one JSON line (endpoint, port, credentials, region, version) on stdout when\n' +
      'listening, instead of the banner',
    apply: ({ outputs }, v) => {
      if (v === true) outputs.readyJson = true;
    },
  },
  'port-file': {
    type: 'string',
    value: 'PATH',
    help: 'write the port listened on to PATH when listening (with --port 0)',
    apply: ({ outputs }, v) => (outputs.portFile = one(v)),
  },
  version: { type: 'boolean', help: 'print the version' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

/** The environment variable of an option: `--data-dir` -> `OSS_MOCK_DATA_DIR`. */
export function envVariableOf(name: string): string {
  return `OSS_MOCK_${name.toUpperCase().replace(/-/g, '_')}`;
}

const NO_ENV = new Set(['help', 'version']);

/** The options with their environment variables, for the parser, the help and the README check. */
export const MOCK_OPTIONS: Readonly<Record<string, MockOption>> = Object.fromEntries(
  Object.entries(OPTIONS).map(([name, o]) => [name, NO_ENV.has(name) ? o : { ...o, env: envVariableOf(name) }]),
);

export const MOCK_COMMAND: CommandSpec = {
  name: 'oss-mock',
  synopsis: '[options]',
  summary: 'A fake Alibaba Cloud OSS endpoint.',
  options: MOCK_OPTIONS,
  footer:
    'Environment: every option but --help and --version can be set by a variable named OSS_MOCK_ and the option in\n' +
    'capitals, - as _ (OSS_MOCK_PORT, OSS_MOCK_DATA_DIR, OSS_MOCK_ACCESS_KEY_ID, ...). An option given on the command\n' +
    "line wins. A repeatable option's variable holds several values separated by spaces or newlines\n" +
    "(OSS_MOCK_BUCKET='photos logs'), which the option, when given, replaces; OSS_MOCK_READY_JSON takes 1 or 0.",
};

export const USAGE = renderHelp(MOCK_COMMAND);

/**
 * `oss-mock ARGV` as a command; throws a UsageError with a message for the user. `env` supplies every option the
 * command line does not give (OSS_MOCK_PORT, OSS_MOCK_ACCESS_KEY_ID, ...); `now` is the start time STS expiries
 * count from.
 */
export function parseCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  now: Date = new Date(),
): CliCommand {
  const { values, fromEnv } = parseCommand(MOCK_COMMAND, argv, env);
  // --help and --version have no variable: only the command line asks for them
  if (values.help === true) return { help: true };
  if (values.version === true) return { help: false, version: true };
  const target: Target = { options: { port: DEFAULT_CLI_PORT, logLevel: DEFAULT_CLI_LOG_LEVEL }, outputs: {}, now };
  for (const [name, o] of Object.entries(MOCK_OPTIONS)) {
    const value = values[name];
    if (value === undefined || o.apply === undefined) continue;
    try {
      o.apply(target, value as Value);
    } catch (err) {
      const variable = fromEnv[name];
      if (err instanceof UsageError && variable !== undefined)
        throw new UsageError(`${err.message} (from ${variable})`);
      throw err;
    }
  }
  return { help: false, options: target.options, outputs: target.outputs };
}
