import { describe, expect, it } from 'vitest';
import { formatTable, isMet, ratioOf, type Figure } from './figure.js';

const base = { id: 'x', label: 'x', unit: 'MiB/s', samples: [] };

describe('isMet', () => {
  it('judges ratio-at-least against the baseline', () => {
    const f: Figure = {
      ...base,
      value: 80,
      baseline: { name: 'sink', value: 100 },
      target: { kind: 'ratio-at-least', min: 0.8 },
    };
    expect(ratioOf(f)).toBeCloseTo(0.8);
    expect(isMet(f)).toBe(true);
    expect(isMet({ ...f, value: 79 })).toBe(false);
  });

  it('judges ratio-within on both sides', () => {
    const f: Figure = {
      ...base,
      value: 1.04,
      baseline: { name: 'cfg', value: 1 },
      target: { kind: 'ratio-within', tolerance: 0.05 },
    };
    expect(isMet(f)).toBe(true);
    expect(isMet({ ...f, value: 0.94 })).toBe(false);
    expect(isMet({ ...f, value: 1.06 })).toBe(false);
  });

  it('judges at-most on the value alone and fails a missing value', () => {
    const f: Figure = { ...base, unit: 'ms', value: 20, target: { kind: 'at-most', max: 20 } };
    expect(isMet(f)).toBe(true);
    expect(isMet({ ...f, value: 21 })).toBe(false);
    expect(isMet({ ...f, value: null })).toBe(false);
    expect(isMet({ ...f, target: { kind: 'none' } })).toBeUndefined();
  });
});

describe('formatTable', () => {
  it('prints one aligned row per figure with ratio and verdict', () => {
    const table = formatTable([
      {
        ...base,
        label: 'PUT',
        value: 90,
        baseline: { name: 'md5+crc sink', value: 100 },
        target: { kind: 'ratio-at-least', min: 0.8 },
      },
      { ...base, label: 'disable', unit: 'ms', value: 31.5, target: { kind: 'at-most', max: 20 } },
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\| figure +\| value +\| baseline +\| ratio \| target +\| met\? \|$/);
    expect(lines[2]).toContain('| 90.0 MiB/s');
    expect(lines[2]).toContain('100 (md5+crc sink)');
    expect(lines[2]).toContain('| 0.90 ');
    expect(lines[2]).toMatch(/\| yes +\|$/);
    expect(lines[3]).toContain('<= 20.0 ms');
    expect(lines[3]).toMatch(/\| NO +\|$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});
