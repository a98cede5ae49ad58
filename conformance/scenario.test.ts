import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ALL_SCENARIOS } from './scenarios/index.js';
import { applicability, selectScenarios, type Scenario } from './scenario.js';
import type { ControlApi } from './targets/control.js';

const control = {} as ControlApi;

describe('the scenario catalogue', () => {
  it('has unique stable IDs in the six families, each with a title and a source', () => {
    const ids = ALL_SCENARIOS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of ALL_SCENARIOS) {
      expect(s.id).toMatch(/^(INT|MPU|RES|ATOM|CLOCK|WIRE)-\d{3}$/);
      expect(s.title.length).toBeGreaterThan(20);
      expect(s.verifiedAgainst).toMatch(/docs\/protocol\.md#|docs\/architecture\.md#|https:\/\//);
    }
    expect(new Set(ids.map((id) => id.split('-')[0]))).toEqual(new Set(['INT', 'MPU', 'RES', 'ATOM', 'CLOCK', 'WIRE']));
  });

  it("is conformance/README.md's scenario table, row for row", async () => {
    const readme = await readFile(new URL('./README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| ([A-Z]+-\d{3}) +\|/gm)].map((m) => m[1]);
    expect(rows).toEqual(ALL_SCENARIOS.map((s) => s.id));
  });
});

describe('applicability', () => {
  const byId = (id: string): Scenario => ALL_SCENARIOS.find((s) => s.id === id)!;

  it('is n-a with the missing capabilities named', () => {
    expect(applicability(byId('INT-002'), new Set(['append']), { name: 'embedded', control })).toEqual({
      status: 'n-a',
      reason: 'driver lacks capability: multipart',
    });
    expect(applicability(byId('INT-002'), new Set(['multipart']), { name: 'embedded', control })).toEqual({
      status: 'n-a',
      reason: 'driver lacks capability: one of disable, interrupt',
    });
    expect(applicability(byId('INT-002'), new Set(['multipart', 'interrupt']), { name: 'embedded', control })).toBe(
      undefined,
    );
  });

  it('is skip when the scenario needs the control API the target lacks', () => {
    expect(applicability(byId('INT-004'), new Set(['disable']), { name: 'https://oss', control: undefined })).toEqual({
      status: 'skip',
      reason: 'needs the mock control API, which https://oss does not offer',
    });
  });

  it('lets endpoint scenarios run without any driver', () => {
    expect(applicability(byId('WIRE-001'), undefined, { name: 'embedded', control: undefined })).toBeUndefined();
  });
});

describe('selectScenarios', () => {
  it('selects families and single IDs, case-insensitively, and everything without filters', () => {
    expect(selectScenarios(ALL_SCENARIOS, ['res', 'WIRE-002']).map((s) => s.id)).toEqual([
      'RES-001',
      'RES-002',
      'RES-003',
      'RES-004',
      'WIRE-002',
    ]);
    expect(selectScenarios(ALL_SCENARIOS, [])).toHaveLength(ALL_SCENARIOS.length);
    expect(selectScenarios(ALL_SCENARIOS, ['INT-0'])).toEqual([]);
  });
});
