// The outcome of a whole run, as results.json stores it and every reporter reads it.
import type { Capability, SdkInfo } from './drivers/driver.js';
import type { ScenarioResult, Status } from './scenario.js';

/** One report column: a driver under one environment. */
export interface DriverSummary {
  /** the driver's name (`builtin`, `python-oss2@2.18.0`, `process:my-sdk`) */
  name: string;
  /** the report column (name plus environment); results carry the same in `column` */
  column: string;
  available: boolean;
  /** asked for by name: its unavailability fails the run (drivers of the default set are only reported) */
  required: boolean;
  /** why it could not be loaded, and how to fix that */
  reason?: string;
  capabilities: Capability[];
  sdk?: SdkInfo;
  language?: string;
  /** driver protocol version (process drivers) */
  protocol?: number;
  /** the environment variables the column runs under */
  env?: Record<string, string>;
}

export interface RunVersions {
  ossMock: string;
  node: string;
  /** the git commit the suite ran from, when known */
  commit?: string;
}

export interface RunSummary {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  target: string;
  versions: RunVersions;
  drivers: DriverSummary[];
  results: ScenarioResult[];
  totals: Record<Status, number>;
  /** what made the run fail besides failed scenarios (target unreachable, nothing ran, a driver unavailable) */
  problems: string[];
  /** every applicable scenario passed (the CLI exits 0 exactly then) */
  ok: boolean;
  /** what went wrong outside any scenario (closing a driver or the target); absent when nothing did */
  warnings?: string[];
}

export const STATUSES: readonly Status[] = ['pass', 'fail', 'known-defect', 'skip', 'n-a'];

export function totalsOf(results: readonly ScenarioResult[]): Record<Status, number> {
  const totals: Record<Status, number> = { pass: 0, fail: 0, 'known-defect': 0, skip: 0, 'n-a': 0 };
  for (const r of results) totals[r.status] += 1;
  return totals;
}

/** Results whose known-defect entry applied but did not reproduce (the registry may be out of date). */
export function unexpectedPasses(results: readonly ScenarioResult[]): ScenarioResult[] {
  return results.filter((r) => r.knownDefect && !r.knownDefect.reproduced);
}
