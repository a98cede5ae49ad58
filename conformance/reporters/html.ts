// DIR/report.html: what ran (versions, commit, target, every driver with its SDK version and environment), the
// failures first with their expected-vs-actual, request IDs and the server's event trace, then the matrix of
// scenarios by column with the outcome written in every cell. One self-contained file (inline CSS, no scripts, no
// external assets) so it reads offline and as a CI artifact.
import { RAW_DRIVER, type ScenarioResult } from '../scenario.js';
import { STATUSES, unexpectedPasses, type DriverSummary, type RunSummary } from '../summary.js';
import { columnDetail, columnOf, columns, rows, statusLabel, totalsByColumn } from './columns.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** http(s) sources become links; everything else is text. */
const linkify = (s: string): string => esc(s).replace(/https?:\/\/[^\s;,)]+/g, (url) => `<a href="${url}">${url}</a>`);

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}h3{font-size:14px;margin:18px 0 6px}
.meta{color:#57606a;margin-bottom:16px}
.totals span{display:inline-block;margin-right:14px;font-weight:600}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #d0d7de;padding:6px 8px;vertical-align:top;text-align:left}
th{background:#f6f8fa;font-weight:600}th small{display:block;font-weight:400;color:#57606a}
td.id{white-space:nowrap;font-family:ui-monospace,Menlo,Consolas,monospace}
td.title small{display:block;color:#57606a}
.pass{background:#dafbe1}.fail{background:#ffebe9}.skip{background:#fff8c5}.n-a{background:#eaeef2}
.known-defect{background:#fbefff}.none{background:#fff}.problem{background:#ffebe9;padding:8px;border:1px solid #ff8182}
.status{font-weight:700;text-transform:uppercase;font-size:12px}
.reason,.observed{display:block;font-size:12px;color:#24292f;margin-top:2px;word-break:break-word}
.observed{color:#0a3069}
pre{background:#f6f8fa;padding:8px;overflow:auto;font-size:12px;white-space:pre-wrap;max-height:420px}
details{margin:4px 0}
`;

export function renderHtml(summary: RunSummary): string {
  const cols = columns(summary);
  const byColumn = totalsByColumn(summary);
  const cell = new Map(summary.results.map((r) => [`${r.scenario}\u0000${columnOf(r)}`, r]));
  const totals = STATUSES.map((s) => `<span class="${s}">${statusLabel(s)}: ${summary.totals[s]}</span>`).join('');
  const head = cols
    .map((d) => {
      const detail = columnDetail(d);
      return `<th>${esc(d.name)}${detail ? `<small>${esc(detail)}</small>` : ''}${d.available ? '' : '<small>unavailable</small>'}</th>`;
    })
    .join('');
  const totalsRow = cols
    .map((d) => {
      const t = byColumn.get(d.column);
      if (!t) return `<td class="none">${d.available ? '' : 'not run'}</td>`;
      const parts = STATUSES.filter((s) => t[s] > 0).map((s) => `${t[s]} ${statusLabel(s)}`);
      return `<td class="${t.fail > 0 ? 'fail' : 'pass'}">${esc(parts.join(', '))}</td>`;
    })
    .join('');
  const body = rows(summary.results)
    .map((s) => {
      const cells = cols.map((d) => renderCell(cell.get(`${s.scenario}\u0000${d.column}`))).join('');
      return (
        `<tr><td class="id">${esc(s.scenario)}</td>` +
        `<td class="title">${esc(s.title)}<small>verified against: ${linkify(s.verifiedAgainst)}</small></td>${cells}</tr>`
      );
    })
    .join('\n');
  const failures = summary.results.filter((r) => r.status === 'fail');
  const known = summary.results.filter((r) => r.status === 'known-defect');
  const flagged = unexpectedPasses(summary.results);
  const problems = summary.problems.map((p) => `<div class="problem">${esc(p)}</div>`).join('\n');
  const v = summary.versions;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>oss-conformance: ${esc(summary.target)}</title>
<style>${STYLE}</style></head><body>
<h1>oss-conformance ${summary.ok ? 'passed' : 'FAILED'}</h1>
<div class="meta">target ${esc(summary.target)} &middot; ${esc(summary.startedAt)} &middot; ${(summary.durationMs / 1000).toFixed(1)} s
&middot; oss-mock ${esc(v?.ossMock ?? '?')} &middot; Node ${esc(v?.node ?? '?')}${v?.commit ? ` &middot; commit ${esc(v.commit)}` : ''}</div>
${problems}
<div class="totals">${totals}</div>
<h2>Drivers</h2><ul>${summary.drivers.map((d) => `<li><b>${esc(d.column)}</b>: ${esc(describeDriver(d))}</li>`).join('')}</ul>
${failures.length ? `<h2>Failures (${failures.length})</h2>\n${failures.map(renderDetails).join('\n')}` : ''}
${flagged.length ? `<h2>Known defects that did not reproduce</h2>\n<p>The registry says these fail; they passed. The SDK may be fixed, or the entry needs another condition.</p><ul>${flagged.map((r) => `<li>${esc(r.scenario)} [${esc(columnOf(r))}]: ${esc(r.knownDefect?.id ?? '')} (${linkify(r.knownDefect?.source ?? '')})</li>`).join('')}</ul>` : ''}
<h2>Scenarios by driver</h2>
<table><thead><tr><th>ID</th><th>Scenario</th>${head}</tr></thead><tbody>
<tr><td class="id">totals</td><td class="title">per driver</td>${totalsRow}</tr>
${body}
</tbody></table>
${known.length ? `<h2>Known SDK defects (${known.length})</h2>\n${known.map(renderDetails).join('\n')}` : ''}
${renderOtherDetails(summary.results)}
</body></html>
`;
}

function describeDriver(d: DriverSummary): string {
  if (d.name === RAW_DRIVER) return "the suite's own signed requests (endpoint scenarios)";
  if (!d.available) return `unavailable: ${d.reason ?? ''}`;
  const parts = [
    d.sdk ? `SDK ${d.sdk.name} ${d.sdk.version}` : undefined,
    d.language,
    d.protocol !== undefined ? `protocol ${d.protocol}` : undefined,
    d.env
      ? `environment ${Object.entries(d.env)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`
      : undefined,
    `capabilities ${d.capabilities.join(', ') || 'none'}`,
  ];
  return parts.filter((p) => p !== undefined).join('; ');
}

function renderCell(r: ScenarioResult | undefined): string {
  if (r === undefined) return '<td class="none"></td>';
  const time = `${(r.durationMs / 1000).toFixed(1)} s`;
  const reason = r.status === 'pass' ? '' : `<span class="reason">${esc(r.reason ?? '')}</span>`;
  const observed = (r.observed ?? []).map((o) => `<span class="observed">${esc(o)}</span>`).join('');
  const flag =
    r.knownDefect && !r.knownDefect.reproduced
      ? `<span class="reason">known defect ${esc(r.knownDefect.id)} did not reproduce</span>`
      : '';
  const link =
    r.status === 'fail' || r.status === 'known-defect' || (r.logs?.length ?? 0) > 0
      ? ` <a href="#${esc(anchor(r))}">details</a>`
      : '';
  return `<td class="${r.status}"><span class="status">${statusLabel(r.status)}</span> <small>${time}</small>${link}${reason}${observed}${flag}</td>`;
}

const anchor = (r: ScenarioResult): string => `${r.scenario}-${columnOf(r)}`.replace(/[^A-Za-z0-9-]+/g, '-');

function renderDetails(r: ScenarioResult): string {
  const e = r.error;
  const facts = [
    r.env
      ? `environment: ${Object.entries(r.env)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`
      : undefined,
    r.sdk ? `SDK: ${r.sdk.name} ${r.sdk.version}` : undefined,
    e?.code ? `driver error: ${e.code}${e.status !== undefined ? ` (HTTP ${e.status})` : ''}` : undefined,
    e?.sdkError ? `SDK error: ${e.sdkError}` : undefined,
    r.requestIds?.length ? `request IDs: ${r.requestIds.join(', ')}` : undefined,
    r.knownDefect ? `known defect ${r.knownDefect.id}: ${r.knownDefect.summary} (${r.knownDefect.source})` : undefined,
  ].filter((x): x is string => x !== undefined);
  return (
    `<h3 id="${esc(anchor(r))}">${esc(r.scenario)} [${esc(columnOf(r))}] ${esc(statusLabel(r.status))}</h3>` +
    `<p>${esc(r.reason ?? '')}</p>` +
    (facts.length ? `<ul>${facts.map((f) => `<li>${linkify(f)}</li>`).join('')}</ul>` : '') +
    (e ? `<details><summary>stack</summary><pre>${esc(e.stack ?? e.message)}</pre></details>` : '') +
    (r.notes.length ? `<pre>${esc(r.notes.join('\n'))}</pre>` : '') +
    (r.trace?.length
      ? `<details><summary>server events (${r.trace.length})</summary><pre>${esc(r.trace.map(traceLine).join('\n'))}</pre></details>`
      : '') +
    renderLogs(r)
  );
}

function renderLogs(r: ScenarioResult): string {
  if (!r.logs?.length) return '';
  const text = r.logs.map((l) => `[${l.level}] (${l.source}) ${l.message}`).join('\n');
  return `<details><summary>driver and SDK log (${r.logs.length} lines)</summary><pre>${esc(text)}</pre></details>`;
}

function traceLine(e: Record<string, unknown>): string {
  const { seq, time, type, ...rest } = e;
  const fields = Object.entries(rest)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `#${String(seq)} ${typeof time === 'string' ? time.slice(11, 23) : ''} ${String(type)} ${fields}`;
}

/** Notes, observations and logs of the results that are not failures. */
function renderOtherDetails(results: readonly ScenarioResult[]): string {
  const rest = results.filter(
    (r) => r.status !== 'fail' && r.status !== 'known-defect' && (r.notes.length > 0 || (r.logs?.length ?? 0) > 0),
  );
  if (rest.length === 0) return '';
  return (
    '<h2>Notes and logs</h2>\n' +
    rest
      .map(
        (r) =>
          `<h3 id="${esc(anchor(r))}">${esc(r.scenario)} [${esc(columnOf(r))}] ${esc(statusLabel(r.status))}</h3>` +
          (r.notes.length ? `<pre>${esc(r.notes.join('\n'))}</pre>` : '') +
          renderLogs(r),
      )
      .join('\n')
  );
}
