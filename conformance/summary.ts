// The outcome of a whole run, as results.json stores it and every reporter reads it.
import type { Capability } from './drivers/driver.js';
import type { ScenarioResult, Status } from './scenario.js';

export interface DriverSummary {
  name: string;
  available: boolean;
  /** why it could not be loaded */
  reason?: string;
  capabilities: Capability[];
}

export interface RunSummary {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  target: string;
  drivers: DriverSummary[];
  results: ScenarioResult[];
  totals: Record<Status, number>;
  /** every applicable scenario passed (the CLI exits 0 exactly then) */
  ok: boolean;
  /** what went wrong outside any scenario (closing a driver or the target); absent when nothing did */
  warnings?: string[];
}

export const STATUSES: readonly Status[] = ['pass', 'fail', 'skip', 'n-a'];

export function totalsOf(results: readonly ScenarioResult[]): Record<Status, number> {
  const totals: Record<Status, number> = { pass: 0, fail: 0, skip: 0, 'n-a': 0 };
  for (const r of results) totals[r.status] += 1;
  return totals;
}
