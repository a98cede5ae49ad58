// The `oss-mock` CLI as a child process: what the crash runs SIGKILL and the soak measures (its RSS, not the load
// generator's). Started with `--port 0`; the endpoint is read from the banner line (docs/architecture.md#contracts).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Endpoint } from './requests.js';

export interface ServerProcess {
  ep: Endpoint;
  child: ChildProcess;
  /** Resident set size in bytes, from /proc (Linux); undefined elsewhere. */
  rss(): Promise<number | undefined>;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a clean close), resolved once the process exited. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** the CLI script to run with node: the bundled bin (dist/bin/oss-mock.cjs) or a compiled mock-server/cli.js */
  cliPath: string;
  dataDir?: string;
  accessKeyId: string;
  accessKeySecret: string;
  extraArgs?: string[];
  startTimeoutMs?: number;
}

export function spawnServer(o: SpawnOptions): Promise<ServerProcess> {
  const args = [o.cliPath, '--port', '0', '--access-key-id', o.accessKeyId, '--access-key-secret', o.accessKeySecret];
  if (o.dataDir !== undefined) args.push('--data-dir', o.dataDir);
  args.push(...(o.extraArgs ?? []));
  // the soak and crash tests read no request log: the command's default (info) would only cost CPU
  const env = { OSS_MOCK_LOG_LEVEL: 'silent', ...process.env };
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stderr: string[] = [];
  child.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`oss-mock did not start in time: ${out}${stderr.join('')}`));
    }, o.startTimeoutMs ?? 15_000);
    const early = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`oss-mock exited with ${code} before listening: ${stderr.join('')}`));
    };
    child.once('exit', early);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /oss-mock listening on http:\/\/([^:/]+):(\d+)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      child.off('exit', early);
      const signal = async (sig: NodeJS.Signals): Promise<void> => {
        if (child.exitCode === null && child.signalCode === null) child.kill(sig);
        await exited;
      };
      resolve({
        ep: { host: m[1]!, port: Number(m[2]), accessKeyId: o.accessKeyId, accessKeySecret: o.accessKeySecret },
        child,
        rss: async () => {
          try {
            const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
            const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
            return kb === undefined ? undefined : Number(kb) * 1024;
          } catch {
            return undefined;
          }
        },
        kill: () => signal('SIGKILL'),
        stop: () => signal('SIGTERM'),
      });
    });
  });
}
