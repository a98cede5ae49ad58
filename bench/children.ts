// Servers under test run as child processes of the bench (the same process tree, each with a core to itself on a
// two-core machine while the bench drives load from the other). A child is ready when it prints its endpoint.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * dist/bin/oss-mock.cjs, the `oss-mock` command exactly as users run it (package.json "bin"). BENCH_MOCK_CLI names
 * another build of it instead, to measure an earlier version against the same baselines in the same conditions.
 */
export const CLI_JS =
  process.env.BENCH_MOCK_CLI ?? fileURLToPath(new URL('../../dist/bin/oss-mock.cjs', import.meta.url));
export const PEER_JS = fileURLToPath(new URL('./peer-server.js', import.meta.url));

const READY_LINE = /listening on (http:\/\/\S+)/;
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

export interface ChildServer {
  endpoint: string;
  pid: number;
  /** performance.now() just before spawn() and when the ready line arrived */
  spawnedAt: number;
  readyAt: number;
  /** peak resident set size so far (VmHWM), bytes */
  peakRss(): Promise<number>;
  /** CPU time used so far (user + system, all threads), ms */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/** VmHWM of a live process from /proc (Linux), in bytes. */
export async function readPeakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (m === null) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** Linux's USER_HZ, the unit of utime/stime in /proc/PID/stat (fixed at 100 on every mainstream kernel build) */
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a live process from /proc/PID/stat (fields 14 and 15), in ms. */
export async function readCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may contain spaces; fields after it are plain
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS)));
  if ((await Promise.race([exited(child), late])) === 'late') {
    child.kill('SIGKILL');
    await exited(child);
  }
  clearTimeout(timer);
}

export async function spawnServer(script: string, args: readonly string[]): Promise<ChildServer> {
  const spawnedAt = performance.now();
  // The mock's request log is silent unless OSS_MOCK_LOG_LEVEL says otherwise (to measure what logging costs); an
  // environment variable, not a flag, so a BENCH_MOCK_CLI build from before the log still starts.
  const env = { OSS_MOCK_LOG_LEVEL: 'silent', ...process.env };
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`no ready line within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')}: ${err.message}\n${stderr}`));
    };
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = READY_LINE.exec(seen);
      if (m !== null) {
        clearTimeout(timer);
        seen = '';
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => fail(new Error(`exited with ${code}`)));
    child.once('error', fail);
  });
  const readyAt = performance.now();
  child.removeAllListeners('exit');
  // keep draining so a chatty child never blocks on a full pipe
  child.stdout!.resume();
  const pid = child.pid!;
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    pid,
    spawnedAt,
    readyAt,
    peakRss: () => readPeakRss(pid),
    cpuMs: () => readCpuMs(pid),
    stop: () => (stopping ??= stopChild(child)),
  };
}
