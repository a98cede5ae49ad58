import { describe, expect, it } from 'vitest';
import { dateStamp, httpDate, isoBasic, parseHttpDate, parseOssDate, xmlTime } from './dates.js';

describe('xmlTime (docs/protocol.md#dates: oss2 requires .000Z)', () => {
  it('truncates milliseconds to .000', () => {
    expect(xmlTime(new Date('2012-02-24T06:07:48.999Z'))).toBe('2012-02-24T06:07:48.000Z');
    expect(xmlTime(new Date('2012-02-24T06:07:48Z'))).toBe('2012-02-24T06:07:48.000Z');
  });

  it('gives the same text whether or not the second was formatted recently (more seconds than it keeps)', () => {
    const base = Date.UTC(2026, 10, 30, 9, 0, 0);
    const times = Array.from({ length: 1000 }, (_, i) => new Date(base + ((i * 7919) % 600) * 1000 + (i % 1000)));
    for (const round of [1, 2]) {
      for (const d of times) {
        expect(xmlTime(d), `round ${round}`).toBe(new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString());
      }
    }
  });
});

describe('httpDate', () => {
  it('uses RFC 1123 with a two-digit day', () => {
    expect(httpDate(new Date('2015-12-05T11:10:29.500Z'))).toBe('Sat, 05 Dec 2015 11:10:29 GMT');
  });
});

describe('parseHttpDate / parseOssDate', () => {
  it('parses RFC 1123', () => {
    expect(parseHttpDate('Wed, 28 Dec 2022 10:27:41 GMT')?.toISOString()).toBe('2022-12-28T10:27:41.000Z');
    expect(parseHttpDate('Sat, 5 Dec 2015 11:10:29 GMT')?.toISOString()).toBe('2015-12-05T11:10:29.000Z');
  });

  it('rejects what is not an RFC 1123 GMT date', () => {
    for (const s of [
      '',
      'yesterday',
      '2022-12-28T10:27:41Z',
      'Wed, 31 Feb 2022 10:27:41 GMT',
      'Wed, 28 Foo 2022 10:27:41 GMT',
      'Xyz, 28 Dec 2022 10:27:41 GMT',
      'Wed, 28 Dec 2022 10:27:41 +0800',
    ]) {
      expect(parseHttpDate(s), s).toBeUndefined();
    }
  });

  it('parses both x-oss-date forms', () => {
    expect(parseOssDate('20221220T084818Z')?.toISOString()).toBe('2022-12-20T08:48:18.000Z');
    expect(parseOssDate('Tue, 20 Dec 2022 08:48:18 GMT')?.toISOString()).toBe('2022-12-20T08:48:18.000Z');
    expect(parseOssDate('20221320T084818Z')).toBeUndefined();
    expect(parseOssDate('2022122T084818Z')).toBeUndefined();
  });
});

describe('isoBasic / dateStamp', () => {
  it('formats the V4 timestamp and scope day', () => {
    const d = new Date(1702743657_000);
    expect(isoBasic(d)).toBe('20231216T162057Z');
    expect(dateStamp(d)).toBe('20231216');
    expect(isoBasic(new Date(1702743657_789))).toBe('20231216T162057Z');
  });
});
