import { describe, expect, it } from 'vitest';
import { newRequestId } from './request-id.js';

describe('newRequestId (docs/protocol.md#common-headers)', () => {
  it('is 24 uppercase hex characters led by the Unix seconds', () => {
    // 566B6BE9… is a real id whose Date header was Sat, 12 Dec 2015 00:35:53 GMT.
    const id = newRequestId(new Date('2015-12-12T00:35:53.400Z'));
    expect(id).toMatch(/^[0-9A-F]{24}$/);
    expect(id.slice(0, 8)).toBe('566B6BE9');
  });

  it('differs between calls in the same second', () => {
    const now = new Date();
    const ids = new Set(Array.from({ length: 100 }, () => newRequestId(now)));
    expect(ids.size).toBe(100);
  });
});
