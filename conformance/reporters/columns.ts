// What every reporter shares: the report's columns (driver + SDK version + environment) and rows, and how a cell is
// described in one line.
import type { ScenarioResult, Status } from '../scenario.js';
import { STATUSES, type DriverSummary, type RunSummary } from '../summary.js';

/** The column a result belongs to (older results.json files have no `column`: the driver's name). */
export const columnOf = (r: ScenarioResult): string => r.column ?? r.driver;

/** Columns in run order (raw first when endpoint scenarios ran), including unavailable drivers. */
export function columns(summary: RunSummary): DriverSummary[] {
  const seen = new Map<string, DriverSummary>();
  for (const d of summary.drivers) if (!seen.has(d.column ?? d.name)) seen.set(d.column ?? d.name, d);
  for (const r of summary.results) {
    const c = columnOf(r);
    if (!seen.has(c)) seen.set(c, { name: r.driver, column: c, available: true, required: false, capabilities: [] });
  }
  return [...seen.values()];
}

/** `oss2 2.19.1 · TZ=UTC`: what a column header says below the driver's name. */
export function columnDetail(d: DriverSummary): string {
  const parts: string[] = [];
  if (d.sdk) parts.push(`${d.sdk.name} ${d.sdk.version}`);
  if (d.env) parts.push(...Object.entries(d.env).map(([k, v]) => `${k}=${v}`));
  return parts.join(' · ');
}

const FAMILY_ORDER = ['INT', 'MPU', 'RES', 'ATOM', 'CLOCK', 'WIRE'];

/** One row per scenario, families in report order, IDs ascending within. */
export function rows(results: readonly ScenarioResult[]): ScenarioResult[] {
  const byId = new Map<string, ScenarioResult>();
  for (const r of results) if (!byId.has(r.scenario)) byId.set(r.scenario, r);
  const family = (id: string): number => {
    const i = FAMILY_ORDER.indexOf(id.split('-')[0] ?? '');
    return i === -1 ? FAMILY_ORDER.length : i;
  };
  return [...byId.values()].sort(
    (a, b) => family(a.scenario) - family(b.scenario) || a.scenario.localeCompare(b.scenario),
  );
}

export function totalsByColumn(summary: RunSummary): Map<string, Record<Status, number>> {
  const out = new Map<string, Record<Status, number>>();
  for (const r of summary.results) {
    const c = columnOf(r);
    const t = out.get(c) ?? (Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>);
    t[r.status] += 1;
    out.set(c, t);
  }
  return out;
}

export const statusLabel = (s: Status): string => (s === 'n-a' ? 'n/a' : s);
