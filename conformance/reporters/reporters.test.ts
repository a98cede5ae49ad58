import { describe, expect, it } from 'vitest';
import { parseXml, xmlArray } from '../../protocol/index.js';
import type { ScenarioResult } from '../scenario.js';
import { totalsOf, type RunSummary } from '../summary.js';
import { renderHtml, renderJson, renderJunit, renderMarkdown, progressLine } from './index.js';

const result = (over: Partial<ScenarioResult>): ScenarioResult => ({
  scenario: 'INT-001',
  title: 'seed <4 uploads>',
  verifiedAgainst: 'docs/protocol.md#cpp-sdk',
  driver: 'builtin',
  target: 'embedded',
  status: 'pass',
  durationMs: 1234,
  notes: [],
  ...over,
});

const results: ScenarioResult[] = [
  result({}),
  result({ driver: 'ali-oss', status: 'n-a', reason: 'driver lacks capability: disable' }),
  result({
    scenario: 'MPU-002',
    title: 'abort & list',
    status: 'fail',
    reason: 'UploadPart after Abort: expected NoSuchUpload, but it succeeded',
    error: { message: 'boom', code: 'X', stack: 'Error: boom\n    at <anonymous>\u0001' },
    notes: ['cut by a fault'],
  }),
  result({ scenario: 'WIRE-001', title: 'envelope', driver: 'raw', status: 'skip', reason: 'needs "control"' }),
  result({
    scenario: 'RES-003',
    title: 'restart',
    driver: 'go-v1',
    column: 'go-v1 TZ=UTC',
    env: { TZ: 'UTC' },
    sdk: { name: 'aliyun-oss-go-sdk', version: 'v1.9.8' },
    status: 'known-defect',
    reason: 'known defect GO-V1-RESUME-TZ of aliyun-oss-go-sdk v1.9.8',
    knownDefect: { id: 'GO-V1-RESUME-TZ', summary: 's', source: 'https://example.invalid/upload.go', reproduced: true },
  }),
];

const summary: RunSummary = {
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:05.000Z',
  durationMs: 5000,
  target: 'embedded',
  versions: { ossMock: '0.1.0', node: 'v20.0.0', commit: 'abc123' },
  drivers: [
    { name: 'raw', column: 'raw', available: true, required: false, capabilities: [] },
    { name: 'builtin', column: 'builtin', available: true, required: true, capabilities: ['disable', 'multipart'] },
    { name: 'ali-oss', column: 'ali-oss', available: true, required: true, capabilities: ['cancel'] },
    {
      name: 'go-v1',
      column: 'go-v1 TZ=UTC',
      available: true,
      required: true,
      capabilities: ['resumable'],
      sdk: { name: 'aliyun-oss-go-sdk', version: 'v1.9.8' },
      env: { TZ: 'UTC' },
    },
    {
      name: 'java',
      column: 'java',
      available: false,
      required: false,
      reason: 'mvn not usable: install Maven',
      capabilities: [],
    },
  ],
  results,
  totals: totalsOf(results),
  problems: [],
  ok: false,
};

describe('reporters', () => {
  it('results.json is the summary verbatim', () => {
    expect(JSON.parse(renderJson(summary))).toEqual(summary);
    expect(summary.totals).toEqual({ pass: 1, fail: 1, skip: 1, 'n-a': 1, 'known-defect': 1 });
  });

  it('junit.xml is well-formed, one suite per driver, failures and skips with their reasons', () => {
    const doc = parseXml(renderJunit(summary)) as { testsuites: Record<string, unknown> };
    const suites = xmlArray(doc.testsuites.testsuite as Array<Record<string, unknown>>);
    expect(suites).toHaveLength(4);
    const xml = renderJunit(summary);
    expect(xml).toContain('<testsuites name="oss-conformance" tests="5" failures="1" errors="0" skipped="3"');
    expect(xml).toContain('name="MPU-002 abort &amp; list"');
    expect(xml).toContain(
      '<failure message="UploadPart after Abort: expected NoSuchUpload, but it succeeded" type="X">',
    );
    expect(xml).toContain('<skipped message="n-a: driver lacks capability: disable"/>');
    expect(xml).toContain('<skipped message="skip: needs &quot;control&quot;"/>');
    expect(xml).not.toContain('\u0001');
  });

  it('report.html is a self-contained matrix with the reason in every non-pass cell', () => {
    const html = renderHtml(summary);
    // sources are links a reader can open; nothing is loaded from elsewhere
    expect(html).not.toMatch(/<(script|link|img)\b|src=|url\(/);
    expect(html).toContain(
      '<th>raw</th><th>builtin</th><th>ali-oss</th><th>go-v1<small>aliyun-oss-go-sdk v1.9.8 · TZ=UTC</small></th><th>java<small>unavailable</small></th>',
    );
    expect(html).toContain('oss-mock 0.1.0 &middot; Node v20.0.0 &middot; commit abc123');
    expect(html.indexOf('<h2>Failures (1)</h2>')).toBeLessThan(html.indexOf('<h2>Scenarios by driver</h2>'));
    expect(html).toContain('<b>java</b>: unavailable: mvn not usable: install Maven');
    expect(html).toContain('<td class="id">totals</td>');
    expect(html).toContain('<span class="status">known-defect</span>');
    expect(html).toContain('<a href="https://example.invalid/upload.go">');
    const table = html.slice(html.indexOf('<h2>Scenarios by driver</h2>'));
    expect(table.indexOf('INT-001')).toBeLessThan(table.indexOf('MPU-002'));
    expect(table.indexOf('MPU-002')).toBeLessThan(table.indexOf('RES-003'));
    expect(table.indexOf('RES-003')).toBeLessThan(table.indexOf('WIRE-001'));
    expect(html).toContain('seed &lt;4 uploads&gt;');
    expect(html).toContain('<span class="reason">driver lacks capability: disable</span>');
    expect(html).toContain('<span class="reason">needs &quot;control&quot;</span>');
    expect(html).toContain('href="#MPU-002-builtin"');
    expect(html).toContain('id="MPU-002-builtin"');
    expect(html).toContain('cut by a fault');
    expect(html).toContain('oss-conformance FAILED');
  });

  it('summary.md has the verdict, per-driver totals with SDK and environment, failures and known defects', () => {
    const md = renderMarkdown(summary);
    expect(md).toContain('## oss-conformance FAILED');
    expect(md).toContain('| go-v1 | aliyun-oss-go-sdk v1.9.8 · TZ=UTC | 0 | 0 | 1 | 0 | 0 |');
    expect(md).toContain('| java | unavailable: mvn not usable: install Maven |');
    expect(md).toContain('**MPU-002** [builtin] abort & list: UploadPart after Abort: expected NoSuchUpload');
    expect(md).toContain('### Known SDK defects (not counted as failures)');
  });

  it('progress lines show status, scenario, driver and, for non-pass, the reason', () => {
    expect(progressLine(results[0]!, 1, 12)).toBe('[ 1/12] PASS INT-001 [builtin] seed <4 uploads> (1.2 s)');
    expect(progressLine(results[1]!, 2, 12)).toBe(
      '[ 2/12] N/A  INT-001 [ali-oss] seed <4 uploads> (1.2 s)\n        driver lacks capability: disable',
    );
  });
});
