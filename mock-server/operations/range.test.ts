import { describe, expect, it } from 'vitest';
import { resolveRange } from './range.js';

describe('resolveRange, default behaviour (docs/protocol.md#getobject)', () => {
  it.each([
    ['bytes=0-4', { start: 0, end: 4 }],
    ['bytes=5-', { start: 5, end: 9 }],
    ['bytes=-3', { start: 7, end: 9 }],
    ['bytes=2-3,5-6', { start: 2, end: 3 }],
  ])('%s on 10 bytes serves %j', (header, expected) => {
    expect(resolveRange(header, 10, false)).toEqual(expected);
  });

  it.each(['bytes=5-15', 'bytes=10-', 'bytes=-11', 'bytes=4-2', 'items=0-1', 'bytes=abc', 'bytes=-', 'bytes=-0'])(
    '%s on 10 bytes is ignored: the whole object',
    (header) => {
      expect(resolveRange(header, 10, false)).toBeUndefined();
    },
  );
});

describe('resolveRange with x-oss-range-behavior: standard', () => {
  it('clamps an end past the object and serves a long suffix whole', () => {
    expect(resolveRange('bytes=5-15', 10, true)).toEqual({ start: 5, end: 9 });
    expect(resolveRange('bytes=-11', 10, true)).toEqual({ start: 0, end: 9 });
  });

  it('answers 416 InvalidRange when the start is at or past the end', () => {
    for (const header of ['bytes=10-', 'bytes=10-20', 'bytes=0-']) {
      const size = header === 'bytes=0-' ? 0 : 10;
      expect(() => resolveRange(header, size, true)).toThrow(
        expect.objectContaining({ code: 'InvalidRange', status: 416 }),
      );
    }
  });
});
