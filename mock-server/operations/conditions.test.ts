import { describe, expect, it } from 'vitest';
import { evaluateConditions } from './conditions.js';

const meta = { etag: 'D41D8CD98F00B204E9800998ECF8427E', lastModified: new Date('2024-01-02T03:04:05Z') };
const before = 'Tue, 02 Jan 2024 03:04:04 GMT';
const same = 'Tue, 02 Jan 2024 03:04:05 GMT';

describe('evaluateConditions (docs/protocol.md#getobject)', () => {
  it('If-Match compares ETags without quotes and case; a mismatch is 412 naming the condition', () => {
    expect(evaluateConditions(meta, { ifMatch: '"d41d8cd98f00b204e9800998ecf8427e"' })).toBe('proceed');
    expect(evaluateConditions(meta, { ifMatch: 'D41D8CD98F00B204E9800998ECF8427E' })).toBe('proceed');
    expect(() => evaluateConditions(meta, { ifMatch: '"0000"' })).toThrow(
      expect.objectContaining({ code: 'PreconditionFailed', status: 412, extra: { Condition: 'If-Match' } }),
    );
  });

  it('If-None-Match matching and If-Modified-Since not earlier are 304', () => {
    expect(evaluateConditions(meta, { ifNoneMatch: `"${meta.etag}"` })).toBe('not-modified');
    expect(evaluateConditions(meta, { ifNoneMatch: '"other"' })).toBe('proceed');
    expect(evaluateConditions(meta, { ifModifiedSince: same })).toBe('not-modified');
    expect(evaluateConditions(meta, { ifModifiedSince: before })).toBe('proceed');
  });

  it('If-Unmodified-Since earlier than Last-Modified is 412', () => {
    expect(() => evaluateConditions(meta, { ifUnmodifiedSince: before })).toThrow(
      expect.objectContaining({ code: 'PreconditionFailed' }),
    );
    expect(evaluateConditions(meta, { ifUnmodifiedSince: same })).toBe('proceed');
  });

  it('ignores unparseable dates and lets the ETag condition win over its date counterpart', () => {
    expect(evaluateConditions(meta, { ifModifiedSince: 'yesterday' })).toBe('proceed');
    expect(evaluateConditions(meta, { ifMatch: meta.etag, ifUnmodifiedSince: before })).toBe('proceed');
    expect(evaluateConditions(meta, { ifNoneMatch: '"other"', ifModifiedSince: same })).toBe('proceed');
  });
});
