// runConformance(): open the target, load the drivers, run every selected scenario (endpoint scenarios once, client
// scenarios once per driver), report as it goes, and write results.json, junit.xml and report.html.
import { DEFAULT_DRIVERS, driverFactory } from './drivers/index.js';
import { DriverUnavailableError, type Driver, type DriverFactory } from './drivers/driver.js';
import { writeReports } from './reporters/index.js';
import { firstLine, runScenario } from './run-scenario.js';
import { RAW_DRIVER, selectScenarios, type Scenario, type ScenarioResult } from './scenario.js';
import { ALL_SCENARIOS } from './scenarios/index.js';
import { totalsOf, type DriverSummary, type RunSummary } from './summary.js';
import { startEmbeddedTarget } from './targets/embedded.js';
import { externalOptionsFromEnv, openExternalTarget } from './targets/external.js';
import type { Target } from './targets/target.js';

export interface RunOptions {
  /** 'embedded' (default), 'external' (OSS_ENDPOINT), an endpoint URL (credentials from OSS_*), or an open Target */
  target?: string | Target;
  /** driver names (`builtin`, `ali-oss`, `process:CMD`) or factories; default builtin and ali-oss */
  drivers?: ReadonlyArray<string | DriverFactory>;
  /** scenario IDs or families (`INT`, `MPU-002`); default all */
  filter?: readonly string[];
  /** default: every scenario of the suite */
  scenarios?: readonly Scenario[];
  /** write results.json, junit.xml and report.html here */
  reportDir?: string;
  /** called after each scenario (live progress) */
  onResult?: (r: ScenarioResult, index: number, total: number) => void;
  env?: NodeJS.ProcessEnv;
  /** multiplies scenario timeouts (slow external endpoints) */
  timeoutScale?: number;
}

export async function openTarget(spec: string, env: NodeJS.ProcessEnv): Promise<Target> {
  if (spec === 'embedded') return startEmbeddedTarget();
  if (spec === 'external') return openExternalTarget(externalOptionsFromEnv(env));
  return openExternalTarget(externalOptionsFromEnv(env, spec));
}

export async function runConformance(o: RunOptions = {}): Promise<RunSummary> {
  const started = new Date();
  const factories = (o.drivers ?? DEFAULT_DRIVERS).map((d) => (typeof d === 'string' ? driverFactory(d) : d));
  const scenarios = selectScenarios(o.scenarios ?? ALL_SCENARIOS, o.filter ?? []);
  const ownsTarget = typeof o.target !== 'object';
  const target =
    typeof o.target === 'object' ? o.target : await openTarget(o.target ?? 'embedded', o.env ?? process.env);
  const loaded: Array<{ factory: DriverFactory; driver?: Driver; reason?: string }> = [];
  const results: ScenarioResult[] = [];
  const warnings: string[] = [];
  try {
    for (const factory of factories) {
      try {
        loaded.push({ factory, driver: await factory.load() });
      } catch (err) {
        const reason = err instanceof DriverUnavailableError || err instanceof Error ? err.message : String(err);
        loaded.push({ factory, reason });
      }
    }
    const endpointScenarios = scenarios.filter((s) => s.subject === 'endpoint');
    const clientScenarios = scenarios.filter((s) => s.subject === 'client');
    const total = endpointScenarios.length + clientScenarios.length * loaded.length;
    const record = (r: ScenarioResult): void => {
      results.push(r);
      o.onResult?.(r, results.length, total);
    };
    for (const s of endpointScenarios) record(await runScenario(s, undefined, target, o));
    for (const { factory, driver, reason } of loaded) {
      for (const s of clientScenarios) {
        record(driver ? await runScenario(s, driver, target, o) : unavailable(s, factory.name, target.name, reason));
      }
    }
  } finally {
    // Whatever the endpoint answers, the run ends with its reports: a failing close is a warning, not a crash.
    for (const r of await Promise.allSettled(loaded.map((l) => l.driver?.close()))) {
      if (r.status === 'rejected') warnings.push(`closing a driver failed: ${firstLine(r.reason)}`);
    }
    if (ownsTarget) {
      await target.close().catch((err: unknown) => warnings.push(`closing the target failed: ${firstLine(err)}`));
    }
  }
  const finished = new Date();
  const drivers: DriverSummary[] = loaded.map(({ factory, driver, reason }) => ({
    name: driver?.name ?? factory.name,
    available: driver !== undefined,
    reason,
    capabilities: driver ? [...driver.capabilities] : [],
  }));
  if (results.some((r) => r.driver === RAW_DRIVER))
    drivers.unshift({ name: RAW_DRIVER, available: true, capabilities: [] });
  const totals = totalsOf(results);
  const summary: RunSummary = {
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    target: target.name,
    drivers,
    results,
    totals,
    ok: totals.fail === 0 && drivers.every((d) => d.available),
  };
  if (warnings.length > 0) summary.warnings = warnings;
  if (o.reportDir !== undefined) await writeReports(o.reportDir, summary);
  return summary;
}

function unavailable(s: Scenario, driver: string, target: string, reason: string | undefined): ScenarioResult {
  return {
    scenario: s.id,
    title: s.title,
    verifiedAgainst: s.verifiedAgainst,
    driver,
    target,
    status: 'skip',
    reason: `driver unavailable: ${reason ?? 'unknown reason'}`,
    durationMs: 0,
    notes: [],
  };
}
