import { describe, expect, it } from 'vitest';
import { parseXml, xmlArray } from '../../protocol/index.js';
import type { ScenarioResult } from '../scenario.js';
import { totalsOf, type RunSummary } from '../summary.js';
import { renderHtml, renderJson, renderJunit, progressLine } from './index.js';

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
];

const summary: RunSummary = {
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:05.000Z',
  durationMs: 5000,
  target: 'embedded',
  drivers: [
    { name: 'raw', available: true, capabilities: [] },
    { name: 'builtin', available: true, capabilities: ['disable', 'multipart'] },
    { name: 'ali-oss', available: true, capabilities: ['cancel'] },
  ],
  results,
  totals: totalsOf(results),
  ok: false,
};

describe('reporters', () => {
  it('results.json is the summary verbatim', () => {
    expect(JSON.parse(renderJson(summary))).toEqual(summary);
    expect(summary.totals).toEqual({ pass: 1, fail: 1, skip: 1, 'n-a': 1 });
  });

  it('junit.xml is well-formed, one suite per driver, failures and skips with their reasons', () => {
    const doc = parseXml(renderJunit(summary)) as { testsuites: Record<string, unknown> };
    const suites = xmlArray(doc.testsuites.testsuite as Array<Record<string, unknown>>);
    expect(suites).toHaveLength(3);
    const xml = renderJunit(summary);
    expect(xml).toContain('<testsuites name="oss-conformance" tests="4" failures="1" errors="0" skipped="2"');
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
    expect(html).not.toMatch(/<(script|link)\b|src=|https?:\/\//);
    expect(html).toContain('<th>raw</th><th>builtin</th><th>ali-oss</th>');
    expect(html.indexOf('INT-001')).toBeLessThan(html.indexOf('MPU-002'));
    expect(html.indexOf('MPU-002')).toBeLessThan(html.indexOf('WIRE-001'));
    expect(html).toContain('seed &lt;4 uploads&gt;');
    expect(html).toContain('<span class="reason">driver lacks capability: disable</span>');
    expect(html).toContain('<span class="reason">needs &quot;control&quot;</span>');
    expect(html).toContain('href="#MPU-002-builtin"');
    expect(html).toContain('cut by a fault');
    expect(html).toContain('oss-conformance FAILED');
  });

  it('progress lines show status, scenario, driver and, for non-pass, the reason', () => {
    expect(progressLine(results[0]!, 1, 12)).toBe('[ 1/12] PASS INT-001 [builtin] seed <4 uploads> (1.2 s)');
    expect(progressLine(results[1]!, 2, 12)).toBe(
      '[ 2/12] N/A  INT-001 [ali-oss] seed <4 uploads> (1.2 s)\n        driver lacks capability: disable',
    );
  });
});
