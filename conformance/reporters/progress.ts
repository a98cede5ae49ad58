// Live progress on stderr while the suite runs: one line per finished scenario, with the reason for every non-pass.
import type { ScenarioResult } from '../scenario.js';

const LABEL: Record<ScenarioResult['status'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  skip: 'SKIP',
  'n-a': 'N/A ',
  'known-defect': 'KNOWN',
};

export function progressLine(r: ScenarioResult, index: number, total: number): string {
  const width = String(total).length;
  const head = `[${String(index).padStart(width)}/${total}] ${LABEL[r.status]} ${r.scenario} [${r.column ?? r.driver}] ${r.title}`;
  const time = ` (${(r.durationMs / 1000).toFixed(1)} s)`;
  return r.status === 'pass' ? head + time : `${head}${time}\n${' '.repeat(width * 2 + 4)}${r.reason ?? ''}`;
}
