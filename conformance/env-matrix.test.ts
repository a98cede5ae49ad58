import { describe, expect, it } from 'vitest';
import { envLabel, expandEnvMatrix, utcOffsetMinutes, withProcessEnv } from './env-matrix.js';

describe('the environment matrix', () => {
  it('makes one column per value of a variable and combines different variables', () => {
    expect(expandEnvMatrix([])).toEqual([]);
    expect(expandEnvMatrix(['TZ=UTC', 'TZ=Asia/Shanghai'])).toEqual([{ TZ: 'UTC' }, { TZ: 'Asia/Shanghai' }]);
    expect(expandEnvMatrix(['TZ=UTC', 'LANG=C', 'TZ=Asia/Shanghai', 'TZ=UTC'])).toEqual([
      { TZ: 'UTC', LANG: 'C' },
      { TZ: 'Asia/Shanghai', LANG: 'C' },
    ]);
    expect(expandEnvMatrix(['A=1', 'B=x', 'A=2', 'B=y']).map(envLabel)).toEqual([
      'A=1 B=x',
      'A=1 B=y',
      'A=2 B=x',
      'A=2 B=y',
    ]);
    expect(expandEnvMatrix(['EMPTY=', 'X=a=b'])).toEqual([{ EMPTY: '', X: 'a=b' }]);
    expect(() => expandEnvMatrix(['1X=2'])).toThrow('expected NAME=VALUE');
  });

  it('knows the UTC offset of a zone', () => {
    const winter = new Date('2026-01-15T12:00:00Z');
    expect(utcOffsetMinutes('UTC', winter)).toBe(0);
    expect(utcOffsetMinutes('Asia/Shanghai', winter)).toBe(480);
    expect(utcOffsetMinutes('America/New_York', winter)).toBe(-300);
  });

  it('applies an environment to this process for the time of a call (how in-process drivers run under a column)', async () => {
    const before = process.env.TZ;
    const seen = await withProcessEnv({ TZ: 'Asia/Shanghai', OSS_CONFORMANCE_TEST_VAR: 'x' }, async () => [
      new Date('2026-01-15T00:00:00Z').getHours(),
      process.env.OSS_CONFORMANCE_TEST_VAR,
    ]);
    expect(seen).toEqual([8, 'x']);
    expect(process.env.TZ).toBe(before);
    expect(process.env.OSS_CONFORMANCE_TEST_VAR).toBeUndefined();
  });
});
