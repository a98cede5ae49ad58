// Runs one scenario with one driver on one target and turns whatever happens into a ScenarioResult: applicability
// first, then a fresh space, the run under a timeout, cleanups last-first, and the clients closed.
import assert, { AssertionError } from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { isDriverError, type ClientConfig, type Driver, type DriverClient } from './drivers/driver.js';
import {
  applicability,
  RAW_DRIVER,
  ScenarioOutcome,
  type ClientContext,
  type EndpointContext,
  type Scenario,
  type ScenarioResult,
} from './scenario.js';
import type { Space, Target } from './targets/target.js';

export const DEFAULT_SCENARIO_TIMEOUT_MS = 20_000;

export interface RunScenarioOptions {
  /** multiplies every scenario's timeout (slow external endpoints) */
  timeoutScale?: number;
}

export async function runScenario(
  s: Scenario,
  driver: Driver | undefined,
  target: Target,
  o: RunScenarioOptions = {},
): Promise<ScenarioResult> {
  const started = Date.now();
  const driverName = s.subject === 'endpoint' ? RAW_DRIVER : (driver?.name ?? '?');
  const notes: string[] = [];
  const result = (r: Pick<ScenarioResult, 'status' | 'reason' | 'error'>): ScenarioResult => ({
    scenario: s.id,
    title: s.title,
    verifiedAgainst: s.verifiedAgainst,
    driver: driverName,
    target: target.name,
    durationMs: Date.now() - started,
    notes,
    ...r,
  });

  const na = applicability(s, driver?.capabilities, target);
  if (na) return result(na);
  if (s.subject === 'client' && driver === undefined) {
    return result({ status: 'fail', reason: 'client scenario run without a driver' });
  }

  const cleanups: Array<() => unknown> = [];
  const clients: DriverClient[] = [];
  const timeoutMs = (s.timeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS) * (o.timeoutScale ?? 1);
  const abort = new AbortController();
  let space: Space | undefined;
  let outcome: Pick<ScenarioResult, 'status' | 'reason' | 'error'>;
  try {
    space = await target.allocate(`${s.id}-${driverName}`);
    const base = endpointContext(s.id, target, space, abort.signal, cleanups, notes);
    let run: Promise<void>;
    if (s.subject === 'client' && driver) {
      const config: ClientConfig = {
        endpoint: target.endpoint,
        accessKeyId: target.accessKeyId,
        accessKeySecret: target.accessKeySecret,
        region: target.region,
      };
      const open = async (overrides: Partial<ClientConfig> = {}): Promise<DriverClient> => {
        const c = await driver.createClient({ ...config, ...overrides });
        clients.push(c);
        return c;
      };
      const ctx: ClientContext = {
        ...base,
        driverName: driver.name,
        capabilities: driver.capabilities,
        client: await open(),
        openClient: open,
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
  }
  return result(outcome);
}

function endpointContext(
  scenarioId: string,
  target: Target,
  space: Space,
  signal: AbortSignal,
  cleanups: Array<() => unknown>,
  notes: string[],
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
  const code = isDriverError(err) ? err.code : undefined;
  return {
    status: 'fail',
    reason: firstLine(err),
    error: { message, code, stack: err instanceof Error ? err.stack : undefined },
  };
}

/** One readable line for reports: the assertion's own message, or expected vs actual when node generated it. */
export function firstLine(err: unknown): string {
  if (err instanceof AssertionError && err.generatedMessage) {
    const show = (v: unknown): string => inspect(v, { depth: 2, breakLength: Infinity }).slice(0, 120);
    return `expected ${show(err.expected)} (${err.operator}), got ${show(err.actual)}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  const line = message.split('\n').find((l) => l.trim() !== '') ?? message;
  const prefix = isDriverError(err) ? `${err.code} (HTTP ${err.status}): ` : '';
  return (prefix + line.trim()).slice(0, 300);
}
