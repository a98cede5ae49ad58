// Runs one scenario with one driver on one target and turns whatever happens into a ScenarioResult: applicability
// first, then a fresh space, the run under a timeout, cleanups last-first, and the clients closed.
import assert, { AssertionError } from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import {
  isDriverError,
  type ClientConfig,
  type Driver,
  type DriverClient,
  type DriverLogEntry,
} from './drivers/driver.js';
import { redirectConsole } from './log-capture.js';
import {
  applicability,
  RAW_DRIVER,
  ScenarioOutcome,
  type ClientContext,
  type EndpointContext,
  type ResultError,
  type Scenario,
  type ScenarioResult,
} from './scenario.js';
import type { ControlEvent } from './targets/control.js';
import type { Space, Target } from './targets/target.js';

export const DEFAULT_SCENARIO_TIMEOUT_MS = 20_000;

export interface RunScenarioOptions {
  /** multiplies every scenario's timeout (slow external endpoints) */
  timeoutScale?: number;
  /** the report column the result belongs to (default: the driver's name) */
  column?: string;
  /** the environment the driver runs under, recorded in the result */
  env?: Record<string, string>;
}

/** Events kept per failure in the report (the last ones: closest to the failure). */
const MAX_TRACE_EVENTS = 300;

export async function runScenario(
  s: Scenario,
  driver: Driver | undefined,
  target: Target,
  o: RunScenarioOptions = {},
): Promise<ScenarioResult> {
  const started = Date.now();
  const driverName = s.subject === 'endpoint' ? RAW_DRIVER : (driver?.name ?? '?');
  const notes: string[] = [];
  const observed: string[] = [];
  const logs: DriverLogEntry[] = [];
  let extra: Pick<ScenarioResult, 'trace' | 'requestIds'> = {};
  const result = (r: Pick<ScenarioResult, 'status' | 'reason' | 'error'>): ScenarioResult => ({
    scenario: s.id,
    title: s.title,
    verifiedAgainst: s.verifiedAgainst,
    driver: driverName,
    target: target.name,
    durationMs: Date.now() - started,
    notes,
    ...(s.subject === 'client' ? { column: o.column ?? driverName } : { column: RAW_DRIVER }),
    ...(s.subject === 'client' && driver?.sdk ? { sdk: driver.sdk } : {}),
    ...(s.subject === 'client' && o.env && Object.keys(o.env).length > 0 ? { env: o.env } : {}),
    ...(observed.length > 0 ? { observed } : {}),
    ...(logs.length > 0 ? { logs } : {}),
    ...extra,
    ...r,
  });

  const na = applicability(s, driver?.capabilities, target);
  if (na) return result(na);
  if (s.subject === 'client' && driver === undefined) {
    return result({ status: 'fail', reason: 'client scenario run without a driver' });
  }
  // what the driver logged before this scenario is not this scenario's
  driver?.takeLogs?.();
  const restoreConsole = redirectConsole(logs);
  const since = await target.control?.lastEventSeq().catch(() => undefined);

  const cleanups: Array<() => unknown> = [];
  const clients: DriverClient[] = [];
  const timeoutMs = (s.timeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS) * (o.timeoutScale ?? 1);
  const abort = new AbortController();
  let space: Space | undefined;
  let outcome: Pick<ScenarioResult, 'status' | 'reason' | 'error'>;
  try {
    space = await target.allocate(`${s.id}-${driverName}`);
    const base = endpointContext(s.id, target, space, abort.signal, cleanups, notes, observed);
    let run: Promise<void>;
    if (s.subject === 'client' && driver) {
      const config: ClientConfig = {
        endpoint: target.endpoint,
        accessKeyId: target.accessKeyId,
        accessKeySecret: target.accessKeySecret,
        region: target.region,
        // V1 is what every SDK generation can do except the V4-only ones
        signatureVersion: driver.capabilities.has('signature-v1') ? 'v1' : 'v4',
      };
      const open = async (overrides: Partial<ClientConfig> = {}): Promise<DriverClient> => {
        const c = await driver.createClient({ ...config, ...overrides });
        clients.push(c);
        return c;
      };
      const restart = driver.restart?.bind(driver);
      const ctx: ClientContext = {
        ...base,
        driverName: driver.name,
        capabilities: driver.capabilities,
        sdk: driver.sdk,
        client: await open(),
        openClient: open,
        restartDriver: restart
          ? async () => {
              await restart();
              return open();
            }
          : undefined,
      };
      run = s.run(ctx);
    } else if (s.subject === 'endpoint') {
      run = s.run(base);
    } else {
      throw new Error('unreachable');
    }
    await withTimeout(run, timeoutMs, () => abort.abort());
    outcome = { status: 'pass' };
  } catch (err) {
    outcome = failure(err);
    if (outcome.status === 'fail') extra = await failureContext(target, space, since, err);
  } finally {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        notes.push(`cleanup failed: ${firstLine(err)}`);
      }
    }
    await Promise.allSettled(clients.map((c) => c.close()));
    if (space) await target.release(space).catch((err: unknown) => notes.push(`release failed: ${firstLine(err)}`));
    restoreConsole();
    logs.push(...(driver?.takeLogs?.() ?? []));
  }
  return result(outcome);
}

/** The server's event trace of the scenario's space and the request IDs worth looking up, for a failure. */
async function failureContext(
  target: Target,
  space: Space | undefined,
  since: number | undefined,
  err: unknown,
): Promise<Pick<ScenarioResult, 'trace' | 'requestIds'>> {
  const ids = new Set<string>();
  for (let e: unknown = err; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
    if (isDriverError(e) && e.requestId) ids.add(e.requestId);
    if (typeof e !== 'object') break;
  }
  let trace: ControlEvent[] | undefined;
  if (target.control && space && since !== undefined) {
    try {
      const events = (await target.control.events(since)).filter(
        (e) => e.bucket === space.bucket && (space.prefix === '' || (e.key ?? '').startsWith(space.prefix)),
      );
      trace = events.slice(-MAX_TRACE_EVENTS);
      for (const e of events) {
        if (e.type === 'request.end' && typeof e.status === 'number' && e.status >= 400 && e.requestId) {
          ids.add(e.requestId);
        }
      }
    } catch {
      // the trace is a help for reading the failure; a target that cannot give it leaves it out
    }
  }
  return { ...(trace ? { trace } : {}), ...(ids.size > 0 ? { requestIds: [...ids] } : {}) };
}

function endpointContext(
  scenarioId: string,
  target: Target,
  space: Space,
  signal: AbortSignal,
  cleanups: Array<() => unknown>,
  notes: string[],
  observed: string[],
): EndpointContext {
  return {
    scenarioId,
    target,
    control: target.control,
    raw: target.raw,
    bucket: space.bucket,
    prefix: space.prefix,
    key: (name) => `${space.prefix}${name}`,
    check: assert,
    defer: (fn) => {
      cleanups.push(fn);
    },
    tempDir: async () => {
      const dir = await mkdtemp(path.join(tmpdir(), `oss-conformance-${scenarioId}-`));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return dir;
    },
    note: (m) => {
      notes.push(m);
    },
    observe: (m) => {
      observed.push(m);
      notes.push(`observed: ${m}`);
    },
    notApplicable: (reason) => {
      throw new ScenarioOutcome('n-a', reason);
    },
    skip: (reason) => {
      throw new ScenarioOutcome('skip', reason);
    },
    signal,
  };
}

class ScenarioTimeout extends Error {
  override readonly name = 'ScenarioTimeout';
}

function withTimeout(p: Promise<void>, ms: number, onTimeout: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Reject before aborting: a scenario that returns on abort must not win the race.
      reject(new ScenarioTimeout(`timed out after ${ms} ms`));
      onTimeout();
    }, ms);
  });
  // A scenario that rejects after its timeout must not surface as an unhandled rejection.
  p.catch(() => undefined);
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function failure(err: unknown): Pick<ScenarioResult, 'status' | 'reason' | 'error'> {
  if (err instanceof ScenarioOutcome) return { status: err.status, reason: err.reason };
  const message = err instanceof Error ? err.message : String(err);
  // the driver's error, whether thrown directly or as the cause of a scenario's own message
  const cause = isDriverError(err) ? err : err instanceof Error && isDriverError(err.cause) ? err.cause : undefined;
  const error: ResultError = { message, stack: err instanceof Error ? err.stack : undefined };
  if (cause) {
    error.code = cause.code;
    error.status = cause.status;
    if (cause.requestId) error.requestId = cause.requestId;
    if (cause.sdkError) error.sdkError = cause.sdkError;
  }
  return { status: 'fail', reason: firstLine(err), error };
}

/** One readable line for reports: the assertion's own message, or expected vs actual when node generated it. */
export function firstLine(err: unknown): string {
  if (err instanceof AssertionError) {
    const show = (v: unknown): string => inspect(v, { depth: 2, breakLength: Infinity }).slice(0, 120);
    const versus =
      err.operator === 'fail' || err.operator === '=='
        ? ''
        : err.operator === 'ok'
          ? `got ${show(err.actual)}`
          : `expected ${show(err.expected)}${err.operator === 'strictEqual' || err.operator === 'deepStrictEqual' ? '' : ` (${err.operator})`}, got ${show(err.actual)}`;
    if (err.generatedMessage) return versus;
    const own = (err.message.split('\n')[0] ?? '').trim();
    return (versus ? `${own}: ${versus}` : own).slice(0, 400);
  }
  const message = err instanceof Error ? err.message : String(err);
  const line = message.split('\n').find((l) => l.trim() !== '') ?? message;
  const prefix = isDriverError(err) ? `${err.code} (HTTP ${err.status}): ` : '';
  return (prefix + line.trim()).slice(0, 300);
}
