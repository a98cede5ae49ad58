// runConformance(): open the target, load the drivers, run every selected scenario (endpoint scenarios once, client
// scenarios once per driver and environment column), report as it goes, and write results.json, junit.xml,
// report.html (and a Markdown summary when asked).
import { rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { DEFAULT_DRIVERS, driverFactory } from './drivers/index.js';
import type { InstallOptions } from './drivers/installer.js';
import type { Driver, DriverFactory, DriverLogEntry } from './drivers/driver.js';
import { envLabel, withProcessEnv, type EnvSet } from './env-matrix.js';
import { classifyKnownDefect, effectiveEnv, KNOWN_DEFECTS, type KnownDefect } from './known-defects.js';
import { redirectConsole } from './log-capture.js';
import { packageVersion, sourceCommit } from './package-info.js';
import { REPORT_FILES, writeReports } from './reporters/index.js';
import { renderMarkdown } from './reporters/markdown.js';
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
  /**
   * driver names (`builtin`, `ali-oss`, `python-oss2[@VER]`, ..., `process:CMD`) or factories. Given drivers are
   * required (one that cannot load fails the run); without it every known driver runs and the unavailable ones are
   * only reported.
   */
  drivers?: ReadonlyArray<string | DriverFactory>;
  /** scenario IDs or families (`INT`, `MPU-002`); default all */
  filter?: readonly string[];
  /** default: every scenario of the suite */
  scenarios?: readonly Scenario[];
  /** write results.json, junit.xml and report.html here (the previous run's files are removed first) */
  reportDir?: string;
  /** also write the Markdown summary here */
  summaryFile?: string;
  /**
   * called before each scenario (live status); `received` sums the request-body bytes the server is receiving
   * right now (targets with the control API)
   */
  onStart?: (s: Scenario, column: string, received?: () => Promise<number>) => void;
  /** called after each scenario (live progress) */
  onResult?: (r: ScenarioResult, index: number, total: number) => void;
  /** called once per driver column whose driver could not be loaded */
  onUnavailable?: (d: DriverSummary) => void;
  /** the environment OSS_* settings are read from (default process.env) */
  env?: NodeJS.ProcessEnv;
  /** environment columns (`--env`): the drivers run under each; none: the suite's own environment */
  envMatrix?: readonly EnvSet[];
  /**
   * with envMatrix: only these scenarios (IDs or families) run in the environment columns, and every scenario also
   * runs in the suite's own environment
   */
  envFilter?: readonly string[];
  /** multiplies scenario timeouts (slow external endpoints) */
  timeoutScale?: number;
  /** cache directory and progress of SDK driver installs */
  install?: InstallOptions;
  /** default: the suite's registry */
  knownDefects?: readonly KnownDefect[];
}

/** The selection left nothing to run: refused before anything starts. */
export class NothingSelectedError extends Error {
  override readonly name = 'NothingSelectedError';
}

export async function openTarget(spec: string, env: NodeJS.ProcessEnv): Promise<Target> {
  if (spec === 'embedded') return startEmbeddedTarget();
  const options = externalOptionsFromEnv(env, spec === 'external' ? undefined : spec);
  await assertReachable(options.endpoint);
  return openExternalTarget(options);
}

/** Any HTTP answer means reachable; a connection failure is a TargetUnreachableError with the cause. */
async function assertReachable(endpoint: string): Promise<void> {
  const url = new URL(endpoint);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'HEAD', timeout: 15_000 }, (res) => {
      res.resume();
      resolve();
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', (err) => reject(new TargetUnreachableError(`cannot reach ${endpoint}: ${err.message}`)));
    req.end();
  });
}

export class TargetUnreachableError extends Error {
  override readonly name = 'TargetUnreachableError';
}

interface Column {
  env: EnvSet | undefined;
  scenarios: Scenario[];
}

interface Selected {
  spec: string | DriverFactory;
  required: boolean;
}

/**
 * Runs `fn` in a column's environment: drivers in their own process got it at spawn; those inside the suite's
 * process (builtin, ali-oss, factories given as objects) get it applied to this process for the time of the call.
 */
function inColumn<T>(sel: Selected, env: EnvSet | undefined, fn: () => Promise<T>): Promise<T> {
  const inSuiteProcess = typeof sel.spec === 'string' ? sel.spec === 'builtin' || sel.spec === 'ali-oss' : true;
  return inSuiteProcess ? withProcessEnv(env, fn) : fn();
}

export async function runConformance(o: RunOptions = {}): Promise<RunSummary> {
  const started = new Date();
  const all = o.scenarios ?? ALL_SCENARIOS;
  const scenarios = selectScenarios(all, o.filter ?? []);
  if (scenarios.length === 0) {
    throw new NothingSelectedError(
      `--filter ${(o.filter ?? []).join(' ')} selects no scenario (\`oss-conformance list\` shows the IDs and families)`,
    );
  }
  const selected: Selected[] = (o.drivers ?? DEFAULT_DRIVERS).map((spec) => ({
    spec,
    required: o.drivers !== undefined,
  }));
  // unknown names are usage errors: refuse them before starting anything
  for (const s of selected) if (typeof s.spec === 'string') driverFactory(s.spec);
  const matrix = o.envMatrix ?? [];
  const columns: Column[] =
    matrix.length === 0
      ? [{ env: undefined, scenarios }]
      : [
          ...(o.envFilter && o.envFilter.length > 0 ? [{ env: undefined, scenarios }] : []),
          ...matrix.map((env) => ({
            env,
            scenarios: o.envFilter && o.envFilter.length > 0 ? selectScenarios(scenarios, o.envFilter) : scenarios,
          })),
        ];
  if (o.reportDir !== undefined) {
    // a report folder must never show the previous run's files as if they were this run's
    await Promise.all(REPORT_FILES.map((f) => rm(path.join(o.reportDir!, f), { force: true })));
  }

  const results: ScenarioResult[] = [];
  const warnings: string[] = [];
  const drivers: DriverSummary[] = [];
  const problems: string[] = [];
  const late: DriverLogEntry[] = [];
  const restoreConsole = redirectConsole(late);
  let target: Target | undefined;
  const ownsTarget = typeof o.target !== 'object';
  try {
    try {
      target = typeof o.target === 'object' ? o.target : await openTarget(o.target ?? 'embedded', o.env ?? process.env);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      problems.push(`target ${typeof o.target === 'string' ? o.target : 'embedded'}: ${why}`);
    }
    if (target) {
      const t = target;
      const control = t.control;
      const received = control
        ? async (): Promise<number> => (await control.inflight()).reduce((n, e) => n + e.bytesReceived, 0)
        : undefined;
      const endpointScenarios = scenarios.filter((s) => s.subject === 'endpoint');
      let total = endpointScenarios.length;
      const record = (r: ScenarioResult): void => {
        // console output between two scenarios (an SDK's late callbacks) belongs to the one that just ended
        const previous = results[results.length - 1];
        if (late.length > 0 && previous) {
          previous.logs = [
            ...(previous.logs ?? []),
            ...late.splice(0).map((l) => ({ ...l, source: `${l.source}, after the scenario` })),
          ];
        }
        results.push(r);
        o.onResult?.(r, results.length, total);
      };
      // Load every driver of every column first: the total is then known, and a missing toolchain is reported
      // before the first scenario rather than in the middle of the run.
      const loaded: Array<{
        column: Column;
        sel: Selected;
        factory: DriverFactory;
        summary: DriverSummary;
        driver?: Driver;
      }> = [];
      for (const column of columns) {
        if (!column.scenarios.some((s) => s.subject === 'client')) continue;
        for (const sel of selected) {
          const env = column.env;
          const processEnv = env ? { ...process.env, ...env } : undefined;
          const factory =
            typeof sel.spec === 'string' ? driverFactory(sel.spec, { ...o.install, env: processEnv }) : sel.spec;
          let driver: Driver | undefined;
          let reason: string | undefined;
          try {
            driver = await inColumn(sel, env, () => factory.load());
          } catch (err) {
            reason = err instanceof Error ? err.message : String(err);
          }
          const label = envLabel(env);
          const name = driver?.name ?? factory.name;
          const summary: DriverSummary = {
            name,
            column: label ? `${name} ${label}` : name,
            available: driver !== undefined,
            required: sel.required,
            capabilities: driver ? [...driver.capabilities] : [],
            ...(reason !== undefined ? { reason } : {}),
            ...(driver?.sdk ? { sdk: driver.sdk } : {}),
            ...(driver?.language ? { language: driver.language } : {}),
            ...(driver?.protocol !== undefined ? { protocol: driver.protocol } : {}),
            ...(env ? { env: { ...env } } : {}),
          };
          drivers.push(summary);
          if (!driver) {
            o.onUnavailable?.(summary);
            if (sel.required) problems.push(`driver ${summary.column} unavailable: ${reason ?? ''}`);
          }
          loaded.push({ column, sel, factory, summary, ...(driver ? { driver } : {}) });
        }
      }
      total =
        endpointScenarios.length +
        loaded.reduce(
          (n, l) => n + (l.driver ? l.column.scenarios.filter((s) => s.subject === 'client').length : 0),
          0,
        );
      for (const s of endpointScenarios) {
        o.onStart?.(s, RAW_DRIVER, received);
        record(await runScenario(s, undefined, t, { timeoutScale: o.timeoutScale }));
      }
      for (const l of loaded) {
        let driver = l.driver;
        if (!driver) continue;
        const env = l.column.env;
        const clientScenarios = l.column.scenarios.filter((s) => s.subject === 'client');
        try {
          for (const s of clientScenarios) {
            o.onStart?.(s, l.summary.column, received);
            const current: Driver = driver;
            const r = await inColumn(l.sel, env, () =>
              runScenario(s, current, t, {
                timeoutScale: o.timeoutScale,
                column: l.summary.column,
                env: env ? { ...env } : undefined,
              }),
            );
            record(classifyKnownDefect(r, effectiveEnv(env), o.knownDefects ?? KNOWN_DEFECTS));
            if (r.error?.code === 'DriverExited' && s !== clientScenarios[clientScenarios.length - 1]) {
              // a driver that died must not take every later scenario down with it
              await current.close().catch(() => undefined);
              driver = await inColumn(l.sel, env, () => l.factory.load());
            }
          }
        } finally {
          await driver
            .close()
            .catch((err: unknown) => warnings.push(`closing ${l.summary.column} failed: ${firstLine(err)}`));
        }
      }
    }
  } finally {
    // Whatever the endpoint answers, the run ends with its reports: a failing close is a warning, not a crash.
    if (ownsTarget) {
      await target?.close().catch((err: unknown) => warnings.push(`closing the target failed: ${firstLine(err)}`));
    }
    restoreConsole();
    const last = results[results.length - 1];
    if (late.length > 0 && last) last.logs = [...(last.logs ?? []), ...late.splice(0)];
  }
  if (results.some((r) => r.driver === RAW_DRIVER)) {
    drivers.unshift({ name: RAW_DRIVER, column: RAW_DRIVER, available: true, required: false, capabilities: [] });
  }
  const totals = totalsOf(results);
  if (target && results.length > 0 && totals.pass + totals.fail + totals['known-defect'] === 0) {
    problems.push(
      'no scenario ran: every selected scenario was not applicable to the drivers or skipped on this target',
    );
  } else if (target && results.length === 0) {
    problems.push('no scenario ran: no driver could be loaded');
  }
  const finished = new Date();
  const summary: RunSummary = {
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    target: target?.name ?? (typeof o.target === 'string' ? o.target : 'embedded'),
    versions: { ossMock: packageVersion(), node: process.version, ...commitField() },
    drivers,
    results,
    totals,
    problems,
    ok: totals.fail === 0 && problems.length === 0,
  };
  if (warnings.length > 0) summary.warnings = warnings;
  if (o.reportDir !== undefined) await writeReports(o.reportDir, summary);
  if (o.summaryFile !== undefined) await writeFile(o.summaryFile, renderMarkdown(summary));
  return summary;
}

function commitField(): { commit?: string } {
  const commit = sourceCommit();
  return commit ? { commit } : {};
}
