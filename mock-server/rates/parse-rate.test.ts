import { describe, expect, it } from 'vitest';
import { parseRate } from './parse-rate.js';

describe('parseRate', () => {
  it.each([
    ['262144', 262_144],
    ['256KiB/s', 262_144],
    ['2MiB/s', 2_097_152],
    ['1.5MB/s', 1_500_000],
    ['1gib', 1_073_741_824],
    ['100 B/s', 100],
  ])('%s -> %i', (text, rate) => expect(parseRate(text)).toBe(rate));

  it.each(['', '0', 'fast', '2 MiB/h', '-5', '0.1'])('rejects %j', (text) => expect(parseRate(text)).toBeUndefined());
});
