import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs, SUITES } from './settings.js';

describe('parseBenchArgs', () => {
  it('runs every suite at full size by default', () => {
    const s = parseBenchArgs([], 'bench/results.json');
    expect(s.quick).toBe(false);
    expect(s.suites).toEqual([...SUITES]);
    expect(s.largeSize).toBe(1024 ** 3);
    expect(s.out).toBe('bench/results.json');
    expect(s.throttleWindowMs).toBeGreaterThanOrEqual(2000);
  });

  it('shrinks the work for --quick', () => {
    const s = parseBenchArgs(['--quick'], 'r.json');
    expect(s.quick).toBe(true);
    expect(s.largeSize).toBe(64 * 1024 ** 2);
    expect(s.throttleRates.length).toBeLessThan(parseBenchArgs([], 'r.json').throttleRates.length);
  });

  it('selects suites with --only (in run order) and takes --out', () => {
    const s = parseBenchArgs(['--only', 'throttle,large', '--out', '/tmp/x.json'], 'r.json');
    expect(s.suites).toEqual(['large', 'throttle']);
    expect(s.out).toBe('/tmp/x.json');
  });

  it('sizes the large uploads with --large-size (MiB) and --large-rounds, over --quick or the full run', () => {
    const s = parseBenchArgs(['--quick', '--large-size', '256', '--large-rounds', '2'], 'r.json');
    expect(s.largeSize).toBe(256 * 1024 ** 2);
    expect(s.largeRounds).toBe(2);
    expect(s.smallWindowMs).toBe(parseBenchArgs(['--quick'], 'r.json').smallWindowMs);
    expect(() => parseBenchArgs(['--large-size', '0'], 'r.json')).toThrow(/positive whole number of MiB/);
    expect(() => parseBenchArgs(['--large-rounds'], 'r.json')).toThrow(/positive whole number/);
  });

  it('rejects unknown options and suites', () => {
    expect(() => parseBenchArgs(['--fast'], 'r.json')).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--only', 'nope'], 'r.json')).toThrow(/unknown suite nope/);
    expect(() => parseBenchArgs(['--out'], 'r.json')).toThrow(/needs a value/);
  });
});
