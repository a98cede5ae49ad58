// First use of an SDK driver builds or installs what it needs into a cache directory, reused by later runs:
//   python: a virtualenv with `pip install --require-hashes -r requirements.txt` (another version: `pip install
//           PKG==VER`), run as `<venv>/bin/python driver.py`;
//   go:     the module copied, (`go get MODULE@vVER && go mod tidy` for another version), `go build`;
//   maven:  the project copied, `mvn -B -q -DskipTests package [-Doss.sdk.version=VER]`, run as `java -jar`.
// The cache entry is keyed by driver, version and a hash of the driver's manifest and sources, so an edited driver
// is rebuilt and an unchanged one never is. An install happens under a lock (two runs never build into the same
// entry) in a scratch directory renamed into place only when complete, so an interrupted install leaves nothing
// that looks usable. A missing toolchain makes the driver unavailable with the reason and how to install it.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import lockfile from 'proper-lockfile';
import { DriverUnavailableError } from './driver.js';

const run = promisify(execFile);

export type Toolchain = 'python' | 'go' | 'maven';

/** An SDK driver of the registry (registry.ts): its name, toolchain and what a version selects. */
export interface SdkDriverSpec {
  name: string;
  toolchain: Toolchain;
  /** what a version selects: the PyPI package, the Go module or the Maven artifact */
  sdkPackage: string;
  /** shown in `--help` and the README */
  description: string;
}

export interface InstallOptions {
  /** where installs are kept; default cacheRoot() */
  cacheDir?: string;
  /** install progress, one line per step (the CLI prints them on stderr) */
  onProgress?: (driver: string, message: string) => void;
  /** the suite's environment, for toolchain lookup (default process.env) */
  toolchainEnv?: NodeJS.ProcessEnv;
}

export interface InstalledDriver {
  /** shell command line that starts the driver */
  command: string;
  cwd: string;
  /** the cache entry */
  dir: string;
}

/** `$OSS_CONFORMANCE_CACHE`, else `$XDG_CACHE_HOME/oss-mock`, else `~/.cache/oss-mock`. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OSS_CONFORMANCE_CACHE) return path.resolve(env.OSS_CONFORMANCE_CACHE);
  const xdg = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
  return path.join(xdg ?? path.join(homedir(), '.cache'), 'oss-mock');
}

/** The executables each toolchain uses, overridable for machines with several versions installed. */
function tools(env: NodeJS.ProcessEnv): { python: string; go: string; mvn: string; java: string } {
  return {
    python: env.OSS_CONFORMANCE_PYTHON || 'python3',
    go: env.OSS_CONFORMANCE_GO || 'go',
    mvn: env.OSS_CONFORMANCE_MVN || 'mvn',
    java: env.OSS_CONFORMANCE_JAVA || 'java',
  };
}

const HOW_TO_INSTALL: Record<Toolchain, string> = {
  python:
    'install Python 3.9+ with venv and pip (Debian/Ubuntu: apt-get install python3 python3-venv python3-pip; ' +
    'or https://www.python.org/downloads/), or point OSS_CONFORMANCE_PYTHON at one',
  go: 'install Go 1.21+ (https://go.dev/doc/install), or point OSS_CONFORMANCE_GO at it',
  maven:
    'install a JDK 8+ and Maven 3.6+ (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless maven; ' +
    'https://maven.apache.org/install.html), or point OSS_CONFORMANCE_JAVA / OSS_CONFORMANCE_MVN at them',
};

async function probe(cmd: string, args: string[]): Promise<string> {
  const { stdout, stderr } = await run(cmd, args, { timeout: 60_000, maxBuffer: 1 << 20 });
  return (stdout || stderr).trim().split('\n')[0] ?? '';
}

/**
 * The toolchain's version line, or DriverUnavailableError saying what is missing and how to install it. Results are
 * remembered per process: a run asks once per toolchain.
 */
const checked = new Map<string, Promise<string>>();

export function checkToolchain(toolchain: Toolchain, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const t = tools(env);
  const key = `${toolchain}\u0000${JSON.stringify(t)}`;
  let p = checked.get(key);
  if (!p) {
    p = (async () => {
      const missing = (what: string, err: unknown): DriverUnavailableError =>
        new DriverUnavailableError(
          `${what} not usable (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): ${HOW_TO_INSTALL[toolchain]}`,
        );
      switch (toolchain) {
        case 'python': {
          const version = await probe(t.python, ['--version']).catch((e: unknown) => {
            throw missing(t.python, e);
          });
          await probe(t.python, ['-c', 'import venv, ensurepip']).catch((e: unknown) => {
            throw missing(`${t.python} -m venv (with ensurepip)`, e);
          });
          return version;
        }
        case 'go':
          return probe(t.go, ['version']).catch((e: unknown) => {
            throw missing(t.go, e);
          });
        case 'maven': {
          const java = await probe(t.java, ['-version']).catch((e: unknown) => {
            throw missing(t.java, e);
          });
          const mvn = await probe(t.mvn, ['-v']).catch((e: unknown) => {
            throw missing(t.mvn, e);
          });
          // mvn -v colours its first line on some terminals
          // eslint-disable-next-line no-control-regex
          return `${java}; ${mvn.replace(/\x1b\[[0-9;]*m/g, '')}`;
        }
      }
    })();
    checked.set(key, p);
  }
  return p;
}

/** Directories and files that never belong to a driver's build inputs. */
const IGNORED = new Set(['target', 'build', '__pycache__', '.venv', 'venv', 'node_modules', '.pytest_cache', '.idea']);

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (IGNORED.has(e.name) || e.name.endsWith('.pyc')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p, base)));
    else if (e.isFile()) out.push(path.relative(base, p));
  }
  return out;
}

/** Hash of what the install depends on: the manifest for Python (driver.py runs from its source), all sources else. */
export async function buildInputsHash(
  spec: SdkDriverSpec,
  sourceDir: string,
  toolchainVersion: string,
): Promise<string> {
  const h = createHash('sha256').update(`${spec.name}\n${toolchainVersion}\n`);
  const files = spec.toolchain === 'python' ? ['requirements.txt'] : await listFiles(sourceDir);
  for (const f of files) {
    h.update(`${f}\n`);
    h.update(await readFile(path.join(sourceDir, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Quotes a word for the POSIX shell the process driver starts commands with. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

interface Step {
  title: string;
  cmd: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

interface Plan {
  steps: Step[];
  /** after the steps: the command line (relative to the scratch dir's final place) */
  command(finalDir: string): string;
  cwd(finalDir: string): string;
  /** files to keep from the build (the rest of the scratch dir is removed) */
  prepare?(scratch: string): Promise<void>;
}

function plan(spec: SdkDriverSpec, version: string | undefined, sourceDir: string, scratch: string): Plan {
  const t = tools(process.env);
  switch (spec.toolchain) {
    case 'python': {
      const venv = path.join(scratch, 'venv');
      const pip = path.join(venv, 'bin', 'pip');
      const quiet = ['--disable-pip-version-check', '--no-input', '--quiet'];
      return {
        steps: [
          { title: 'create a virtualenv', cmd: t.python, args: ['-m', 'venv', venv], cwd: sourceDir },
          version === undefined
            ? {
                title: 'pip install --require-hashes -r requirements.txt',
                cmd: pip,
                args: ['install', ...quiet, '--require-hashes', '-r', path.join(sourceDir, 'requirements.txt')],
                cwd: sourceDir,
              }
            : {
                title: `pip install ${spec.sdkPackage}==${version}`,
                cmd: pip,
                args: ['install', ...quiet, `${spec.sdkPackage}==${version}`],
                cwd: sourceDir,
              },
        ],
        command: (dir) =>
          [path.join(dir, 'venv', 'bin', 'python'), path.join(sourceDir, 'driver.py')].map(shellQuote).join(' '),
        cwd: () => sourceDir,
      };
    }
    case 'go': {
      const src = path.join(scratch, 'src');
      // never download another Go toolchain: build with the one installed
      const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };
      const steps: Step[] = [];
      if (version !== undefined) {
        steps.push(
          {
            title: `go get ${spec.sdkPackage}@v${version}`,
            cmd: t.go,
            args: ['get', `${spec.sdkPackage}@v${version}`],
            cwd: src,
            env,
          },
          { title: 'go mod tidy', cmd: t.go, args: ['mod', 'tidy'], cwd: src, env },
        );
      }
      steps.push({
        title: 'go build',
        cmd: t.go,
        args: ['build', '-o', path.join(scratch, 'driver'), '.'],
        cwd: src,
        env: version === undefined ? { ...process.env, GOTOOLCHAIN: 'local' } : env,
      });
      return {
        steps,
        prepare: async () => {
          await cp(sourceDir, src, { recursive: true, filter: (p) => !IGNORED.has(path.basename(p)) });
        },
        command: (dir) => shellQuote(path.join(dir, 'driver')),
        cwd: (dir) => dir,
      };
    }
    case 'maven': {
      const src = path.join(scratch, 'src');
      const args = ['-B', '-q', '-DskipTests', ...(version ? [`-Doss.sdk.version=${version}`] : []), 'package'];
      return {
        steps: [{ title: `mvn ${args.join(' ')}`, cmd: t.mvn, args, cwd: src }],
        prepare: async () => {
          await cp(sourceDir, src, { recursive: true, filter: (p) => !IGNORED.has(path.basename(p)) });
        },
        command: (dir) =>
          [t.java, '-jar', path.join(dir, 'src', 'target', 'oss-conformance-driver.jar')].map(shellQuote).join(' '),
        cwd: (dir) => dir,
      };
    }
  }
}

/** Runs one step with its output in `log`; rejects with the output's tail. Prints a heartbeat while it runs. */
function runStep(step: Step, log: string, heartbeat: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(log, { flags: 'a' });
    out.write(`\n$ ${step.cmd} ${step.args.join(' ')}  (in ${step.cwd})\n`);
    const child = spawn(step.cmd, step.args, {
      cwd: step.cwd,
      env: step.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let last = '';
    let tail = '';
    const onData = (d: Buffer): void => {
      out.write(d);
      const text = d.toString('utf8');
      tail = (tail + text).slice(-4000);
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      if (lines.length > 0) last = lines[lines.length - 1]!.trim();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const started = Date.now();
    const timer = setInterval(
      () =>
        heartbeat(
          `${step.title}: ${Math.round((Date.now() - started) / 1000)} s${last ? ` (${last.slice(0, 100)})` : ''}`,
        ),
      15_000,
    );
    const done = (err?: Error): void => {
      clearInterval(timer);
      out.end(() => (err ? reject(err) : resolve()));
    };
    child.on('error', (err) => done(err));
    child.on('close', (code, signal) => {
      if (code === 0) done();
      else {
        const lines = tail.trim().split('\n').slice(-8).join('\n');
        done(new Error(`${step.title} failed (${signal ?? `exit ${code}`}):\n${lines}`));
      }
    });
  });
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

interface ReadyFile {
  driver: string;
  version: string | null;
  command: string;
  cwd: string;
  installedAt: string;
}

/**
 * Returns how to start the driver, installing it first if the cache has no complete entry for this driver, version
 * and build inputs. Throws DriverUnavailableError (toolchain missing, install failed) with the reason.
 */
export async function installDriver(
  spec: SdkDriverSpec,
  version: string | undefined,
  sourceDir: string,
  o: InstallOptions = {},
): Promise<InstalledDriver> {
  const label = version ? `${spec.name}@${version}` : spec.name;
  const progress = (m: string): void => o.onProgress?.(label, m);
  if (!(await exists(sourceDir))) {
    throw new DriverUnavailableError(`driver sources not found at ${sourceDir}`);
  }
  const toolchain = await checkToolchain(spec.toolchain, o.toolchainEnv);
  const hash = await buildInputsHash(spec, sourceDir, toolchain);
  const root = path.join(o.cacheDir ?? cacheRoot(o.toolchainEnv), 'drivers');
  const dir = path.join(root, `${spec.name}-${version ?? 'pinned'}-${hash}`);
  const readyFile = path.join(dir, 'ready.json');
  // The command line is made for this call, not read back from ready.json: an entry is shared by every checkout
  // whose build inputs match (a Python driver's venv is keyed by requirements.txt alone), and its driver.py is the
  // calling checkout's, which may not be the one that installed it (that one may be gone).
  const launch = plan(spec, version, sourceDir, dir);
  const ready = async (): Promise<InstalledDriver | undefined> => {
    try {
      JSON.parse(await readFile(readyFile, 'utf8')) as ReadyFile;
      return { command: launch.command(dir), cwd: launch.cwd(dir), dir };
    } catch {
      return undefined;
    }
  };
  const cached = await ready();
  if (cached) return cached;

  await mkdir(root, { recursive: true });
  const lockOptions = { realpath: false, lockfilePath: `${dir}.lock`, stale: 30_000 };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, { ...lockOptions, retries: 0 });
  } catch (err) {
    if ((err as { code?: string }).code !== 'ELOCKED') throw err;
    progress('another run is installing it; waiting');
    release = await lockfile.lock(dir, {
      ...lockOptions,
      retries: { retries: 1800, factor: 1, minTimeout: 1000, maxTimeout: 1000 },
    });
  }
  try {
    const done = await ready();
    if (done) return done;
    const scratch = `${dir}.partial-${process.pid}`;
    await rm(scratch, { recursive: true, force: true });
    await mkdir(scratch, { recursive: true });
    const log = path.join(scratch, 'install.log');
    const p = plan(spec, version, sourceDir, scratch);
    const started = Date.now();
    progress(`first use: installing into ${dir} (${toolchain}); later runs reuse it`);
    try {
      await p.prepare?.(scratch);
      for (const [i, step] of p.steps.entries()) {
        progress(`step ${i + 1}/${p.steps.length}: ${step.title}`);
        await runStep(step, log, (line) => progress(line));
      }
    } catch (err) {
      const kept = `${dir}.failed.log`;
      await rename(log, kept).catch(() => undefined);
      await rm(scratch, { recursive: true, force: true });
      throw new DriverUnavailableError(
        `installing ${label} failed: ${err instanceof Error ? err.message : String(err)}\n(full log: ${kept})`,
      );
    }
    // the paths in the command line are those of the final place
    const info: ReadyFile = {
      driver: spec.name,
      version: version ?? null,
      command: p.command(dir),
      cwd: p.cwd(dir),
      installedAt: new Date().toISOString(),
    };
    await writeFile(path.join(scratch, 'ready.json'), JSON.stringify(info, null, 2) + '\n');
    await rm(dir, { recursive: true, force: true });
    await rename(scratch, dir);
    progress(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { command: info.command, cwd: info.cwd, dir };
  } finally {
    await release();
  }
}
