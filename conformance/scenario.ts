// What a scenario is: data (ID, title, the source it was verified against, what it needs) plus one `run`. The runner
// decides applicability from `requires`, gives the scenario an isolated space on the target, and turns its outcome
// into a result; scenarios only act and assert.
import type { Capability, ClientConfig, DriverClient } from './drivers/driver.js';
import type { RawClient } from '../testkit/raw-client.js';
import type { ControlApi } from './targets/control.js';
import type { Target } from './targets/target.js';

export type Status = 'pass' | 'fail' | 'skip' | 'n-a';

interface ScenarioBase {
  /** stable ID, e.g. `INT-001` */
  id: string;
  title: string;
  /** where the expected behaviour comes from: a docs/protocol.md section, an SDK file or an OSS documentation page */
  verifiedAgainst: string;
  /** default 20 s */
  timeoutMs?: number;
}

/**
 * node:assert/strict, seen without its `asserts` signatures so scenarios can call it through `ctx` without
 * annotating every parameter (TS2775).
 */
export interface Check {
  ok(value: unknown, message?: string): void;
  equal(actual: unknown, expected: unknown, message?: string): void;
  notEqual(actual: unknown, expected: unknown, message?: string): void;
  deepEqual(actual: unknown, expected: unknown, message?: string): void;
  match(value: string, re: RegExp, message?: string): void;
  fail(message: string): never;
}

/** Everything a scenario sees of the target. */
export interface EndpointContext {
  readonly scenarioId: string;
  readonly target: Target;
  /** the mock's control API; undefined on targets without one */
  readonly control: ControlApi | undefined;
  readonly raw: RawClient;
  readonly bucket: string;
  /** every key the scenario creates starts with it ('' on the embedded target, which gives each run a bucket) */
  readonly prefix: string;
  key(name: string): string;
  readonly check: Check;
  /** registered cleanups run after the scenario, last first, whatever its outcome */
  defer(fn: () => unknown): void;
  /** a fresh temporary directory, removed afterwards */
  tempDir(): Promise<string>;
  /** a line kept in the result (shown in reports) */
  note(message: string): void;
  /** ends the scenario as 'n-a' (the driver cannot express it) */
  notApplicable(reason: string): never;
  /** ends the scenario as 'skip' (the target cannot support it) */
  skip(reason: string): never;
  /** aborted when the scenario times out */
  readonly signal: AbortSignal;
}

export interface ClientContext extends EndpointContext {
  readonly driverName: string;
  readonly capabilities: ReadonlySet<Capability>;
  /** the client under test, configured for the target (V1 signatures) */
  readonly client: DriverClient;
  /** another client of the same driver, e.g. V4 or wrong credentials; closed afterwards */
  openClient(overrides?: Partial<ClientConfig>): Promise<DriverClient>;
}

/** A scenario about a client: run once per driver. */
export interface ClientScenario extends ScenarioBase {
  subject: 'client';
  requires: { capabilities?: Capability[]; control?: boolean };
  run(ctx: ClientContext): Promise<void>;
}

/** A scenario about the endpoint alone: run once per target with the suite's own signed requests (driver 'raw'). */
export interface EndpointScenario extends ScenarioBase {
  subject: 'endpoint';
  requires: { control?: boolean };
  run(ctx: EndpointContext): Promise<void>;
}

export type Scenario = ClientScenario | EndpointScenario;

/** The pseudo-driver name endpoint scenarios are reported under. */
export const RAW_DRIVER = 'raw';

export interface ScenarioResult {
  scenario: string;
  title: string;
  verifiedAgainst: string;
  driver: string;
  target: string;
  status: Status;
  /** why it is not 'pass' */
  reason?: string;
  durationMs: number;
  error?: { message: string; code?: string; stack?: string };
  notes: string[];
}

/** Thrown through a scenario to end it as 'n-a' or 'skip'. */
export class ScenarioOutcome extends Error {
  override readonly name = 'ScenarioOutcome';
  constructor(
    readonly status: 'n-a' | 'skip',
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Why a scenario cannot run with this driver on this target, or undefined when it can. */
export function applicability(
  s: Scenario,
  capabilities: ReadonlySet<Capability> | undefined,
  target: Pick<Target, 'name' | 'control'>,
): { status: 'n-a' | 'skip'; reason: string } | undefined {
  if (s.subject === 'client') {
    const missing = (s.requires.capabilities ?? []).filter((c) => !capabilities?.has(c));
    if (missing.length > 0) return { status: 'n-a', reason: `driver lacks capability: ${missing.join(', ')}` };
  }
  if (s.requires.control && target.control === undefined) {
    return { status: 'skip', reason: `needs the mock control API, which ${target.name} does not offer` };
  }
  return undefined;
}

/** `INT` selects every INT-*, `INT-001` one scenario; case-insensitive. No filters selects all. */
export function selectScenarios<T extends Scenario>(all: readonly T[], filters: readonly string[]): T[] {
  const fs = filters.map((f) => f.trim().toUpperCase()).filter((f) => f !== '');
  if (fs.length === 0) return [...all];
  return all.filter((s) => fs.some((f) => s.id.toUpperCase() === f || s.id.toUpperCase().startsWith(`${f}-`)));
}
