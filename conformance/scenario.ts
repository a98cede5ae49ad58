// What a scenario is: data (ID, title, the source it was verified against, what it needs) plus one `run`. The runner
// decides applicability from `requires`, gives the scenario an isolated space on the target, and turns its outcome
// into a result; scenarios only act and assert.
import type { Capability, ClientConfig, DriverClient, DriverLogEntry, SdkInfo } from './drivers/driver.js';
import type { RawClient } from '../testkit/raw-client.js';
import type { ControlApi, ControlEvent } from './targets/control.js';
import type { Target } from './targets/target.js';

/**
 * `known-defect`: the scenario failed the way a documented defect of that SDK version makes it fail (see
 * known-defects.ts); reported as such and not counted as a failure.
 */
export type Status = 'pass' | 'fail' | 'skip' | 'n-a' | 'known-defect';

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
  /**
   * What this client did where SDKs legitimately differ (e.g. "new upload after Abort"); shown in the report's cell
   * so the matrix records each SDK's behaviour.
   */
  observe(behaviour: string): void;
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
  /** the SDK under test, when the driver says */
  readonly sdk: SdkInfo | undefined;
  /** another client of the same driver, e.g. V4 or wrong credentials; closed afterwards */
  openClient(overrides?: Partial<ClientConfig>): Promise<DriverClient>;
  /**
   * Kills the driver process (SIGKILL) and starts a fresh one; returns a new client configured like `client`
   * (which is dead from then on). Undefined for drivers running inside the suite's process.
   */
  readonly restartDriver: (() => Promise<DriverClient>) | undefined;
}

/** A scenario about a client: run once per driver. */
export interface ClientScenario extends ScenarioBase {
  subject: 'client';
  /** `capabilities`: all of them; `anyOf`: at least one of them */
  requires: { capabilities?: Capability[]; anyOf?: Capability[]; control?: boolean };
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
  error?: ResultError;
  notes: string[];
  /** the report column: driver, SDK version and environment */
  column?: string;
  sdk?: SdkInfo;
  /** the environment variables the driver ran under (beyond the suite's own) */
  env?: Record<string, string>;
  /** the behaviour recorded with ctx.observe() */
  observed?: string[];
  /** the driver's and SDK's own logging while the scenario ran */
  logs?: DriverLogEntry[];
  /** for a failure: what the server logged about the scenario's bucket and keys */
  trace?: ControlEvent[];
  /** for a failure: the request IDs of the failed calls and of the server's error answers */
  requestIds?: string[];
  /** the documented SDK defect this result was matched against */
  knownDefect?: KnownDefectRef;
}

export interface ResultError {
  message: string;
  code?: string;
  stack?: string;
  /** HTTP status of a failed driver call */
  status?: number;
  requestId?: string;
  /** the SDK's own error text (protocol 2) */
  sdkError?: string;
}

export interface KnownDefectRef {
  id: string;
  summary: string;
  /** a public URL (the SDK's source or issue) */
  source: string;
  /** false when the scenario passed although the defect applies: the registry entry may be out of date */
  reproduced: boolean;
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
    const anyOf = s.requires.anyOf ?? [];
    if (anyOf.length > 0 && !anyOf.some((c) => capabilities?.has(c))) {
      return { status: 'n-a', reason: `driver lacks capability: one of ${anyOf.join(', ')}` };
    }
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
