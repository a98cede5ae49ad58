#!/usr/bin/env node
// `npm run soak`: the reliability runs at full size against the compiled CLI as a child process.
//   1. interrupt fuzz on the memory and the file store (--fuzz uploads, split between them)
//   2. crash safety: --crash SIGKILL/restart rounds on a file store
//   3. load: --connections clients of mixed operations for --minutes, sampling the server's RSS
// Prints the figures as a table and as JSON; exits 1 on any violation, unexpected answer or RSS growth >= 10%.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EVENT_LOG_CAPACITY } from '../mock-server/control/events.js';
import { ControlClient } from '../testkit/control-client.js';
import { runCrashIterations } from './crash-run.js';
import { runInterruptFuzz } from './interrupt-fuzz.js';
import { runLoad } from './load.js';
import { seedFrom } from './prng.js';
import { spawnServer, type ServerProcess } from '../testkit/server-process.js';
import { send } from '../testkit/requests.js';

interface SoakArgs {
  minutes: number;
  connections: number;
  fuzz: number;
  crash: number;
  seed: number;
}

const DEFAULTS: SoakArgs = { minutes: 10, connections: 64, fuzz: 4000, crash: 30, seed: 8000 };
const MAX_RSS_GROWTH = 0.1;
const RSS_SAMPLE_MS = 5000;
/** samples per median: 30 s */
const RSS_WINDOW = 6;
/** the `oss-mock` bin as users run it (package.json "bin"), built into dist/ by `npm run build` */
const CLI_PATH = path.resolve(import.meta.dirname, '../../dist/bin/oss-mock.cjs');
const CREDENTIALS = { accessKeyId: 'soak-access-key', accessKeySecret: 'soak-secret' };

function parseArgs(argv: readonly string[]): SoakArgs {
  const args = { ...DEFAULTS, seed: seedFrom(process.env, DEFAULTS.seed) };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!.replace(/^--/, '') as keyof SoakArgs;
    const value = Number(argv[i + 1]);
    if (!(name in DEFAULTS) || !Number.isFinite(value) || value < 0) {
      throw new Error(
        `usage: soak [--minutes N] [--connections N] [--fuzz N] [--crash N] [--seed N] (at "${argv[i]}")`,
      );
    }
    args[name] = value;
    i++;
  }
  return args;
}

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const MB = (bytes: number | undefined): string =>
  bytes === undefined ? '?' : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function withServer<T>(o: { dataDir?: string }, use: (s: ServerProcess) => Promise<T>): Promise<T> {
  const server = await spawnServer({ cliPath: CLI_PATH, ...CREDENTIALS, ...o });
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const work = await mkdtemp(path.join(tmpdir(), 'oss-soak-'));
  const report: Record<string, unknown> = { args };
  const failures: string[] = [];
  try {
    for (const store of ['memory', 'file'] as const) {
      const dataDir = store === 'file' ? path.join(work, 'fuzz') : undefined;
      const result = await withServer(dataDir === undefined ? {} : { dataDir }, async (s) => {
        await send(s.ep, { method: 'PUT', bucket: 'soak-fuzz' });
        return runInterruptFuzz(s.ep, {
          seed: args.seed + (store === 'file' ? 1 : 0),
          uploads: Math.ceil(args.fuzz / 2),
          concurrency: 16,
          maxBodyBytes: 256 * 1024,
          bucket: 'soak-fuzz',
        });
      });
      log(`interrupt fuzz (${store}): ${JSON.stringify(result.figures)}`);
      report[`fuzz-${store}`] = result.figures;
      failures.push(...result.violations.map((v) => `fuzz ${store}: ${v}`));
    }

    const crashDir = path.join(work, 'crash');
    const crash = await runCrashIterations({
      seed: args.seed + 2,
      iterations: args.crash,
      dataDir: crashDir,
      workers: 8,
      killAfterMs: [0, 1500],
      start: () => spawnServer({ cliPath: CLI_PATH, dataDir: crashDir, ...CREDENTIALS }),
    });
    log(`crash safety: ${JSON.stringify(crash.figures)}`);
    report.crash = crash.figures;
    failures.push(...crash.violations.map((v) => `crash: ${v}`));

    const durationMs = args.minutes * 60_000;
    // warm means every bounded structure is full: the key spaces and the store's memory of finished upload IDs
    // (1,000; ~100 multipart uploads finish per second here) within the first quarter of the run, at most a minute,
    // and the event log ring (EVENT_LOG_CAPACITY events, with a margin); growth is measured from there
    const warmupMs = Math.min(60_000, durationMs / 4);
    const warmEvents = Math.ceil(EVENT_LOG_CAPACITY * 1.2);
    const load = await withServer({}, async (s) => {
      await send(s.ep, { method: 'PUT', bucket: 'soak-load' });
      let warmAt: number | undefined;
      let peak = 0;
      /** RSS samples taken once warm */
      const warm: number[] = [];
      const figures = await runLoad(s.ep, {
        seed: args.seed + 3,
        connections: args.connections,
        durationMs,
        bucket: 'soak-load',
        keysPerClient: 8,
        maxBodyBytes: 32 * 1024,
        sampleEveryMs: RSS_SAMPLE_MS,
        onSample: async (elapsed, requests) => {
          const rss = await s.rss();
          const events = (await new ControlClient(s.ep).health()).lastEventSeq;
          if (rss !== undefined) peak = Math.max(peak, rss);
          if (warmAt === undefined && elapsed >= warmupMs && events >= warmEvents) {
            warmAt = elapsed;
            log(`load: warm after ${Math.round(elapsed / 1000)} s (${events} events logged)`);
          }
          if (warmAt !== undefined && rss !== undefined) warm.push(rss);
          if (elapsed % 30_000 < RSS_SAMPLE_MS) {
            log(`load: ${Math.round(elapsed / 1000)} s, ${requests} requests, server RSS ${MB(rss)}`);
          }
        },
      });
      // medians of the first and the last RSS_WINDOW warm samples, so one GC cycle's sawtooth is not taken for growth
      const enough = warm.length >= 2 * RSS_WINDOW;
      const baseline = enough ? median(warm.slice(0, RSS_WINDOW)) : undefined;
      const end = enough ? median(warm.slice(-RSS_WINDOW)) : undefined;
      const growth = baseline === undefined || end === undefined ? undefined : (end - baseline) / baseline;
      return { figures, rss: { baseline, end, peak, growth, warmSamples: warm.length } };
    });
    log(`load: ${JSON.stringify(load.figures)}`);
    log(
      `server RSS: baseline ${MB(load.rss.baseline)}, end ${MB(load.rss.end)}, peak ${MB(load.rss.peak)}, growth ${
        load.rss.growth === undefined
          ? 'not measured: under a minute of warm samples (run longer)'
          : `${(load.rss.growth * 100).toFixed(1)}%`
      }`,
    );
    report.load = load;
    if (load.figures.unexpected > 0)
      failures.push(`load: ${load.figures.unexpected} unexpected answers: ${load.figures.samples.join('; ')}`);
    if (load.rss.growth !== undefined && load.rss.growth >= MAX_RSS_GROWTH) {
      failures.push(`load: server RSS grew ${(load.rss.growth * 100).toFixed(1)}% after warm-up`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  report.failures = failures;
  process.stdout.write(`${JSON.stringify(report)}\n`);
  for (const f of failures.slice(0, 50)) log(`FAIL ${f}`);
  log(failures.length === 0 ? 'soak passed' : `soak FAILED: ${failures.length} problems`);
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`soak: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
