import { describe, expect, it } from 'vitest';
import { OssError } from './errors.js';
import { parseTrafficLimit } from './traffic-limit.js';

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
