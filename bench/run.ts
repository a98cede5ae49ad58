#!/usr/bin/env node
// `npm run bench [-- --quick] [--only SUITES] [--out FILE]`: measures what oss-mock promises (README.md
// "Performance"), prints one table on stdout and writes the figures with the machine to results.json.
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BenchContext, Measure } from './context.js';
import { formatTable, isMet, ratioOf, type Figure } from './figure.js';
import { measureAbort } from './figures/abort.js';
import { measureDisable } from './figures/disable.js';
import { measureLarge } from './figures/large-put.js';
import { measureMemory } from './figures/memory.js';
import { measureScale } from './figures/scale.js';
import { measureSmallOps } from './figures/small-ops.js';
import { measureStartup } from './figures/startup.js';
import { measureThrottle } from './figures/throttle.js';
import { BenchUsageError, parseBenchArgs, type Suite } from './settings.js';
import { scratchDir } from './targets.js';

const MEASURES: Record<Suite, Measure> = {
  large: measureLarge,
  'small-ops': measureSmallOps,
  scale: measureScale,
  throttle: measureThrottle,
  disable: measureDisable,
  abort: measureAbort,
  memory: measureMemory,
  startup: measureStartup,
};

/** bench/results.json of the repository (build/bench/run.js -> ../../bench/) */
const DEFAULT_OUT = fileURLToPath(new URL('../../bench/results.json', import.meta.url));

interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
}

function machine(): Machine {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}

async function main(argv: string[]): Promise<number> {
  const settings = parseBenchArgs(argv, DEFAULT_OUT);
  const started = performance.now();
  // the machine is shared: how busy it was frames every absolute number (ratios are what the run is for)
  const loadBefore = loadavg()[0]!;
  const scratch = await scratchDir();
  const ctx: BenchContext = { settings, scratch, log: (m) => process.stderr.write(`bench: ${m}\n`) };
  const figures: Figure[] = [];
  const failures: Array<{ suite: Suite; error: string }> = [];
  try {
    for (const suite of settings.suites) {
      ctx.log(`-- ${suite}`);
      try {
        figures.push(...(await MEASURES[suite](ctx)));
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        failures.push({ suite, error });
        ctx.log(`${suite} failed: ${error}`);
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const env = { ...machine(), loadAvgBefore: loadBefore, loadAvgAfter: loadavg()[0]! };
  process.stdout.write(`${formatTable(figures)}\n\n`);
  process.stdout.write(
    `${settings.quick ? 'quick' : 'full'} run, ${seconds.toFixed(1)} s on ${env.cpu} (${env.cores} cores, ${env.memoryGiB} GiB), ` +
      `${env.os}, node ${env.node}; load average ${env.loadAvgBefore.toFixed(1)} before, ${env.loadAvgAfter.toFixed(1)} after\n`,
  );
  for (const f of figures.filter((f) => f.note !== undefined)) process.stdout.write(`  ${f.id}: ${f.note}\n`);
  for (const f of failures) process.stdout.write(`suite ${f.suite} FAILED: ${f.error.split('\n')[0]}\n`);
  const results = {
    mode: settings.quick ? 'quick' : 'full',
    date: new Date().toISOString(),
    seconds,
    machine: env,
    figures: figures.map((f) => ({ ...f, ratio: ratioOf(f) ?? null, met: isMet(f) ?? null })),
    failures,
  };
  await writeFile(settings.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`results: ${settings.out}\n`);
  // a figure off its target is a finding to report, not a crash; a suite that could not run is
  return failures.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof BenchUsageError ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
