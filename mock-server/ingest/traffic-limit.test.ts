import { describe, expect, it } from 'vitest';
import { OssError } from '../../protocol/errors.js';
import { parseTrafficLimit } from './traffic-limit.js';
import { parseRate } from './rate.js';

describe('parseTrafficLimit', () => {
  it('converts bit/s to bytes/s at both ends of the range', () => {
    expect(parseTrafficLimit('819200')).toBe(102_400);
    expect(parseTrafficLimit('838860800')).toBe(104_857_600);
  });

  it.each(['819199', '838860801', '0', '', 'abc', '819200.5', '-819200', '1e6', ' 819200', '99999999999'])(
    'rejects %j with InvalidArgument naming the header',
    (value) => {
      let err: unknown;
      try {
        parseTrafficLimit(value);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OssError);
      const e = err as OssError;
      expect([e.code, e.status]).toEqual(['InvalidArgument', 400]);
      expect(e.extra).toEqual({ ArgumentName: 'x-oss-traffic-limit', ArgumentValue: value });
    },
  );
});

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
