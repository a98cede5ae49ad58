// DIR/report.html: a matrix of scenarios by driver, the reason behind every non-pass written in its cell, and the
// failure details below. One self-contained file (inline CSS, no scripts, no external assets) so it reads offline
// and as a CI artifact.
import { RAW_DRIVER, type ScenarioResult, type Status } from '../scenario.js';
import { STATUSES, type DriverSummary, type RunSummary } from '../summary.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.meta{color:#57606a;margin-bottom:16px}
.totals span{display:inline-block;margin-right:14px;font-weight:600}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #d0d7de;padding:6px 8px;vertical-align:top;text-align:left}
th{background:#f6f8fa;font-weight:600}
td.id{white-space:nowrap;font-family:ui-monospace,Menlo,Consolas,monospace}
td.title small{display:block;color:#57606a}
.pass{background:#dafbe1}.fail{background:#ffebe9}.skip{background:#fff8c5}.n-a{background:#eaeef2}.none{background:#fff}
.status{font-weight:700;text-transform:uppercase;font-size:12px}
.reason{display:block;font-size:12px;color:#24292f;margin-top:2px;word-break:break-word}
pre{background:#f6f8fa;padding:8px;overflow:auto;font-size:12px;white-space:pre-wrap}
`;

export function renderHtml(summary: RunSummary): string {
  const drivers = columns(summary);
  const scenarios = rows(summary.results);
  const cell = new Map(summary.results.map((r) => [`${r.scenario}\u0000${r.driver}`, r]));
  const totals = STATUSES.map((s) => `<span class="${s}">${s}: ${summary.totals[s]}</span>`).join('');
  const head = drivers.map((d) => `<th>${esc(d)}</th>`).join('');
  const body = scenarios
    .map((s) => {
      const cells = drivers.map((d) => renderCell(cell.get(`${s.scenario}\u0000${d}`))).join('');
      return (
        `<tr><td class="id">${esc(s.scenario)}</td>` +
        `<td class="title">${esc(s.title)}<small>verified against: ${esc(s.verifiedAgainst)}</small></td>${cells}</tr>`
      );
    })
    .join('\n');
  const driverList = summary.drivers.map((d) => `<li><b>${esc(d.name)}</b>: ${esc(describeDriver(d))}</li>`).join('');
  const details = summary.results
    .filter((r) => r.status === 'fail' || r.notes.length > 0)
    .map(
      (r) =>
        `<h3 id="${esc(anchor(r))}">${esc(r.scenario)} [${esc(r.driver)}] ${esc(r.status)}</h3>` +
        (r.error ? `<pre>${esc(r.error.stack ?? r.error.message)}</pre>` : '') +
        (r.notes.length ? `<pre>${esc(r.notes.join('\n'))}</pre>` : ''),
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>oss-conformance: ${esc(summary.target)}</title>
<style>${STYLE}</style></head><body>
<h1>oss-conformance ${summary.ok ? 'passed' : 'FAILED'}</h1>
<div class="meta">target ${esc(summary.target)} &middot; ${esc(summary.startedAt)} &middot; ${(summary.durationMs / 1000).toFixed(1)} s</div>
<div class="totals">${totals}</div>
<h2>Drivers</h2><ul>${driverList}</ul>
<h2>Scenarios by driver</h2>
<table><thead><tr><th>ID</th><th>Scenario</th>${head}</tr></thead><tbody>
${body}
</tbody></table>
${details ? `<h2>Details</h2>\n${details}` : ''}
</body></html>
`;
}

function describeDriver(d: DriverSummary): string {
  if (d.name === RAW_DRIVER) return "the suite's own signed requests (endpoint scenarios)";
  return d.available ? `capabilities ${d.capabilities.join(', ') || 'none'}` : `unavailable (${d.reason ?? ''})`;
}

function renderCell(r: ScenarioResult | undefined): string {
  if (r === undefined) return '<td class="none"></td>';
  const time = `${(r.durationMs / 1000).toFixed(1)} s`;
  const reason = r.status === 'pass' ? '' : `<span class="reason">${esc(r.reason ?? '')}</span>`;
  const link = r.status === 'fail' ? ` <a href="#${esc(anchor(r))}">details</a>` : '';
  return `<td class="${r.status}"><span class="status">${label(r.status)}</span> <small>${time}</small>${link}${reason}</td>`;
}

const label = (s: Status): string => (s === 'n-a' ? 'n/a' : s);
const anchor = (r: ScenarioResult): string => `${r.scenario}-${r.driver}`.replace(/[^A-Za-z0-9-]+/g, '-');

/** Driver columns in the run's driver order (raw first when endpoint scenarios ran), then any other result's. */
function columns(summary: RunSummary): string[] {
  const seen = new Set<string>(summary.drivers.map((d) => d.name));
  for (const r of summary.results) seen.add(r.driver);
  return [...seen];
}

const FAMILY_ORDER = ['INT', 'MPU', 'RES', 'ATOM', 'WIRE'];

/** One row per scenario, families in the order of the issue (INT, MPU, RES, ATOM, WIRE), IDs ascending within. */
function rows(results: readonly ScenarioResult[]): ScenarioResult[] {
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
