// The `oss-mock` command line (DESIGN.md "Contracts", CLI), parsed by a pure function so it can be tested.
import { parseDuration } from './control/restore-delay.js';
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
  --region REGION             region, e.g. cn-hangzhou (default cn-hangzhou)
  --auth on|off               verify signatures (default on); off accepts anonymous and any signature
  --ingest-rate RATE          default request-body rate limit, e.g. 262144, 256KiB/s, 2MiB/s
  --egress-rate RATE          default response-body rate limit, same forms
  --control-token TOKEN       require "Authorization: Bearer TOKEN" on /_mock/ calls
  --idle-timeout MS           answer RequestTimeout when headers or a body stop arriving for MS (default 60000)
  --max-header-bytes N        answer larger request headers with InvalidRequest (default 16384)
  --max-connections N         answer connections beyond N with 503 ServiceUnavailable (default: no cap)
  --restore-delay DURATION    how long a RestoreObject takes: ms, or 500ms, 2s, 1m (default 1s; 0: at once)
  --help                      show this help
`;

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export type CliCommand = { help: true } | { help: false; options: MockOssOptions & { port: number } };

type Setter = (options: MockOssOptions, value: string) => void;

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

const FLAGS: Record<string, Setter> = {
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
};

/** Accepts `--flag value` and `--flag=value`; throws CliUsageError with a message for the user. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const options: MockOssOptions & { port: number } = { port: DEFAULT_CLI_PORT };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { help: true };
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const set = FLAGS[flag];
    if (set === undefined) throw new CliUsageError(`unknown option "${arg}"`);
    let value: string | undefined;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new CliUsageError(`${flag} needs a value`);
      i++;
    }
    set(options, value);
  }
  return { help: false, options };
}
