// The `oss-mock` bin bundled from the current sources into a temp dir (as bin.test.ts lays it out), and run as a
// child process whose output a test reads line by line. Tests stop only the processes they started, by PID.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(import.meta.dirname, '../..');

export interface BundledBin {
  /** the bundled bin, dist/bin/oss-mock.cjs under `dir` */
  bin: string;
  dir: string;
  remove(): Promise<void>;
}

export async function bundleBin(): Promise<BundledBin> {
  const dir = await mkdtemp(path.join(tmpdir(), 'oss-mock-bin-'));
  const bin = path.join(dir, 'dist/bin/oss-mock.cjs');
  await mkdir(path.dirname(bin), { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'oss-mock', version: '0.0.0-test' }));
  await cp(path.join(root, 'dist/console'), path.join(dir, 'dist/console'), { recursive: true });
  await promisify(execFile)(process.execPath, [path.join(root, 'scripts/bundle.mjs'), bin]);
  return { bin, dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface BinProcess {
  child: ChildProcess;
  /** what it wrote so far */
  stdout(): string;
  stderr(): string;
  /** resolves with the first match of `pattern` in stdout (rejects when the process exits first) */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** resolves with the exit code, or the signal's name */
  exited: Promise<number | string>;
}

/** `node BIN ARGS` with stdout and stderr piped to the test, OSS_MOCK_* variables from `env` only. */
export function runBin(bin: string, args: readonly string[], env: Record<string, string> = {}): BinProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OSS_MOCK_')));
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...clean, ...env },
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    for (const l of listeners) l();
  });
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
      for (const l of listeners) l();
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`no ${String(pattern)} within ${timeoutMs} ms`)), timeoutMs);
        const check = (): void => {
          const m = pattern.exec(out);
          if (m !== null) done(undefined, m);
          else if (child.exitCode !== null || child.signalCode !== null) {
            done(new Error(`exited (${child.exitCode ?? child.signalCode}) before ${String(pattern)}: ${err}`));
          }
        };
        const done = (e: Error | undefined, m?: RegExpExecArray): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (e !== undefined) reject(e);
          else resolve(m!);
        };
        listeners.add(check);
        check();
      }),
  };
}

/** SIGTERM unless it already exited; resolves when it is gone. */
export async function stopBin(p: BinProcess): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await p.exited;
}
