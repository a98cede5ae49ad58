import { describe, expect, it } from 'vitest';
import { parseTarget, queryValue } from './request-target.js';

describe('parseTarget', () => {
  it('keeps the raw path and the query in wire order, bare names apart from empty values', () => {
    const t = parseTarget('/b/a%2Fb+c?uploads&prefix=&z=1&a=2');
    expect(t.path).toBe('/b/a%2Fb+c');
    expect(t.pairs).toEqual([
      ['uploads', undefined],
      ['prefix', ''],
      ['z', '1'],
      ['a', '2'],
    ]);
    expect(t.query).toEqual({ uploads: '', prefix: '', z: '1', a: '2' });
  });

  it('decodes percent escapes and form-style + in the query; the first occurrence wins', () => {
    const t = parseTarget('/?prefix=a+b%2Bc%20d&prefix=second&%2Bparam1=value3');
    expect(t.query.prefix).toBe('a b+c d');
    expect(t.pairs[1]).toEqual(['prefix', 'second']);
    expect(t.query['+param1']).toBe('value3');
  });

  it('refuses malformed percent-encoding with InvalidArgument', () => {
    expect(() => parseTarget('/?a=%E0%A4%A')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it('treats an empty parameter as unset', () => {
    const { query } = parseTarget('/?marker=&max-keys=5');
    expect(queryValue(query, 'marker')).toBeUndefined();
    expect(queryValue(query, 'max-keys')).toBe('5');
    expect(queryValue(query, 'absent')).toBeUndefined();
  });
});
