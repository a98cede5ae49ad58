// summary.md (`--summary FILE`, and $GITHUB_STEP_SUMMARY in GitHub Actions): the verdict, the per-driver totals with
// SDK versions and environments, the failures with their reasons, the known SDK defects and the unavailable drivers.
import type { ScenarioResult } from '../scenario.js';
import { STATUSES, unexpectedPasses, type RunSummary } from '../summary.js';
import { columnDetail, columnOf, columns, statusLabel, totalsByColumn } from './columns.js';

/** Table cells must not break the row. */
const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function renderMarkdown(summary: RunSummary): string {
  const out: string[] = [];
  const v = summary.versions;
  out.push(`## oss-conformance ${summary.ok ? 'passed' : 'FAILED'}`, '');
  out.push(
    `Target ${md(summary.target)}, ${(summary.durationMs / 1000).toFixed(1)} s; oss-mock ${v?.ossMock ?? '?'}, Node ${v?.node ?? '?'}${v?.commit ? `, commit ${v.commit}` : ''}.`,
    '',
  );
  for (const p of summary.problems) out.push(`- **${md(p)}**`);
  if (summary.problems.length) out.push('');
  out.push(STATUSES.map((s) => `${statusLabel(s)}: ${summary.totals[s]}`).join(' · '), '');
  const byColumn = totalsByColumn(summary);
  out.push(`| driver | SDK / environment | ${STATUSES.map(statusLabel).join(' | ')} |`);
  out.push(`| --- | --- | ${STATUSES.map(() => '---:').join(' | ')} |`);
  for (const d of columns(summary)) {
    const t = byColumn.get(d.column);
    const detail = d.available ? columnDetail(d) : `unavailable: ${d.reason ?? ''}`;
    out.push(`| ${md(d.name)} | ${md(detail)} | ${STATUSES.map((s) => String(t?.[s] ?? 0)).join(' | ')} |`);
  }
  out.push('');
  const failures = summary.results.filter((r) => r.status === 'fail');
  if (failures.length) {
    out.push('### Failures', '');
    for (const r of failures) out.push(`- ${line(r)}`);
    out.push('');
  }
  const known = summary.results.filter((r) => r.status === 'known-defect');
  if (known.length) {
    out.push('### Known SDK defects (not counted as failures)', '');
    for (const r of known) out.push(`- ${line(r)}`);
    out.push('');
  }
  const flagged = unexpectedPasses(summary.results);
  if (flagged.length) {
    out.push('### Known defects that did not reproduce', '');
    for (const r of flagged)
      out.push(`- ${r.scenario} [${md(columnOf(r))}]: ${r.knownDefect?.id} (${r.knownDefect?.source})`);
    out.push('');
  }
  const observed = summary.results.filter((r) => (r.observed?.length ?? 0) > 0);
  if (observed.length) {
    out.push('### Behaviour recorded per SDK', '');
    for (const r of observed) out.push(`- ${r.scenario} [${md(columnOf(r))}]: ${md((r.observed ?? []).join('; '))}`);
    out.push('');
  }
  return out.join('\n');
}

function line(r: ScenarioResult): string {
  const ids = r.requestIds?.length ? ` (request IDs ${r.requestIds.join(', ')})` : '';
  return `**${r.scenario}** [${md(columnOf(r))}] ${md(r.title)}: ${md(r.reason ?? '')}${ids}`;
}
