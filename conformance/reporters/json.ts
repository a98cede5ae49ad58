// DIR/results.json: the run summary verbatim (scenario, driver, target, status, reason, duration, error per result).
import type { RunSummary } from '../summary.js';

export function renderJson(summary: RunSummary): string {
  return JSON.stringify(summary, null, 2) + '\n';
}
