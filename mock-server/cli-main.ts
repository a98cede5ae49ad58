// The `oss-mock` command: parse flags, start the mock, print where it listens and how to point SDKs at it, close on
// SIGINT/SIGTERM. I/O comes in as parameters so tests drive it in-process.
import { writeFile } from 'node:fs/promises';
import { usageErrorText } from '../cli/command-line.js';
import { CliUsageError, parseCliArgs, USAGE } from './cli-args.js';
import { mockVersion } from './version.js';
import { IdentityConfigError } from './control/identities.js';
import type { Permissions } from './exchange/identity.js';
import { startMockOss, type MockOssHandle } from './index.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Calls `stop` once when the process is asked to terminate. */
  onTerminate(stop: (signal: string) => void): void;
  /** stdout is a terminal: the text request log is coloured */
  stdoutIsTTY?: boolean;
  /** the environment (OSS_MOCK_* variables); default none */
  env?: Readonly<Record<string, string | undefined>>;
}

function describePermissions(p: Permissions): string {
  const access = p.access === undefined ? 'full' : typeof p.access === 'string' ? p.access : p.access.join(',');
  return p.buckets === undefined ? access : `${access} on ${p.buckets.join(',')}`;
}

/** The identities besides the default pair, one line each: ids, permissions and expiry, never a secret or token. */
function identityLines(h: MockOssHandle): string[] {
  const lines: string[] = [];
  for (const i of h.control.credentials()) {
    const what = describePermissions(i.permissions);
    if (i.accessKeyId === h.accessKeyId) {
      if (what !== 'full') lines.push(`  permissions:       ${what}`);
    } else if (i.kind === 'permanent') {
      lines.push(`  credential:        ${i.accessKeyId} (${what})`);
    } else {
      lines.push(`  sts credential:    ${i.accessKeyId} (${what}, expires ${i.expiration ?? 'never'})`);
    }
  }
  return lines;
}

/** --ready-json: one line for a program that started the mock */
export function readyLine(h: MockOssHandle): string {
  return JSON.stringify({
    endpoint: h.endpoint,
    host: h.host,
    port: h.port,
    accessKeyId: h.accessKeyId,
    accessKeySecret: h.accessKeySecret,
    region: h.region,
    version: mockVersion(),
  });
}

export function banner(h: MockOssHandle): string {
  return [
    `oss-mock listening on ${h.endpoint}`,
    `  version:           ${mockVersion()}`,
    `  access key id:     ${h.accessKeyId}`,
    `  access key secret: ${h.accessKeySecret}`,
    ...identityLines(h),
    `  region:            ${h.region}${h.config.auth ? '' : '   (authentication off)'}`,
    `  storage:           ${h.config.dataDir ?? 'in memory'}`,
    '',
    'ali-oss (IP endpoint: the bucket travels in the Host header):',
    `  new OSS({ endpoint: '${h.endpoint}', region: 'oss-${h.region}', bucket, accessKeyId, accessKeySecret })`,
    '  for signatureUrl, use localhost with the bucket in the path:',
    `  new OSS({ endpoint: 'http://localhost:${h.port}', sldEnable: true, region: 'oss-${h.region}', ... })`,
    'C++ SDK (an IP endpoint selects path style):',
    `  OssClient client("${h.endpoint}", "${h.accessKeyId}", "${h.accessKeySecret}", ClientConfiguration());`,
    `control API: ${h.endpoint}/_mock/health`,
    // the token itself is never printed: this output ends up in CI logs
    `web console: ${h.endpoint}/_mock/ui/${
      h.config.controlToken === undefined ? '' : '   (add ?token=<control token> once, or enter it on the page)'
    }`,
  ].join('\n');
}

/** Exit code: 0 after a clean close, 2 for a usage error. Rejects when the server cannot start. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command;
  try {
    command = parseCliArgs(argv, io.env);
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    io.stderr(usageErrorText('oss-mock', err));
    return 2;
  }
  if (command.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (command.version) {
    io.stdout(`oss-mock ${mockVersion()}\n`);
    return 0;
  }
  let handle: MockOssHandle;
  try {
    handle = await startMockOss({
      ...command.options,
      // the request log shares stdout with the banner, through io
      logDestination: { write: (line: string) => io.stdout(line), isTTY: io.stdoutIsTTY === true },
    });
  } catch (err) {
    if (!(err instanceof IdentityConfigError)) throw err;
    io.stderr(`oss-mock: ${err.message}\n`);
    return 2;
  }
  if (command.outputs.portFile !== undefined) await writeFile(command.outputs.portFile, `${handle.port}\n`);
  io.stdout(command.outputs.readyJson ? `${readyLine(handle)}\n` : `${banner(handle)}\n`);
  await new Promise<void>((resolve) => {
    io.onTerminate((signal) => {
      io.stdout(`oss-mock: ${signal}, closing (in-flight uploads are discarded)\n`);
      handle.close().then(resolve, (err: unknown) => {
        io.stderr(`oss-mock: error while closing: ${String(err)}\n`);
        resolve();
      });
    });
  });
  return 0;
}
