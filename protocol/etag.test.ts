import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5Hex, multipartEtag, normalizeEtag, quoteEtag } from './etag.js';

describe('md5Hex', () => {
  it('is the uppercase hex of the digest (empty body ETag of docs/protocol.md#etags)', () => {
    expect(md5Hex(createHash('md5').update('').digest())).toBe('D41D8CD98F00B204E9800998ECF8427E');
  });

  it('respects the view of a larger buffer', () => {
    const backing = new Uint8Array(40).fill(0xab);
    const view = backing.subarray(4, 20);
    view.fill(0x01);
    expect(md5Hex(view)).toBe('01'.repeat(16));
  });
});

describe('multipartEtag (docs/protocol.md#etags)', () => {
  const parts = ['4DE8075FB607DF4D13FBC480EA488EFA', 'AF947EC157726CEA88ED83B3C989063B'];

  it('reproduces real-OSS vector A', () => {
    expect(multipartEtag(parts)).toBe('1C787C506EABFB9B45EAAA8DB039F4B2-2');
  });

  it('accepts the part ETags quoted, &quot;-quoted or lowercase, as clients echo them', () => {
    expect(multipartEtag([`"${parts[0]}"`, `&#34;${parts[1]!.toLowerCase()}&#34;`])).toBe(
      '1C787C506EABFB9B45EAAA8DB039F4B2-2',
    );
  });

  it('hashes the hex text, not the binary digests (the S3 rule gives another value)', () => {
    const s3 = createHash('md5');
    for (const p of parts) s3.update(Buffer.from(p, 'hex'));
    expect(s3.digest('hex').toUpperCase()).toMatch(/^0DF03821/);
    expect(multipartEtag(parts)).not.toMatch(/^0DF03821/);
  });

  it('follows the rule for any list: MD5 over concatenated uppercase hex, suffix N', () => {
    const etags = ['a', 'b', 'c'].map((s) => md5Hex(createHash('md5').update(s).digest()));
    const expected = createHash('md5').update(etags.join('')).digest('hex').toUpperCase();
    expect(multipartEtag(etags)).toBe(`${expected}-3`);
  });

  // Vector B (Go SDK download_test.go: "2351E662233817A7AE974D8C5B0876DD-5" for sample/BingWallpaper-2015-11-07.jpg,
  // 482,048 bytes in 102,400-byte parts) needs that file, which this repository does not ship; the rule above
  // reproduces it (docs/protocol.md#etags).
});

describe('quoteEtag / normalizeEtag', () => {
  it('quotes', () => {
    expect(quoteEtag('ABC')).toBe('"ABC"');
  });

  it.each([
    ['"abc"', 'ABC'],
    ['&quot;abc&quot;', 'ABC'],
    ['&#34;abc&#34;', 'ABC'],
    ['abc', 'ABC'],
    [' "ABC-2" ', 'ABC-2'],
    ['"', '"'],
  ])('normalizeEtag(%j) = %j', (input, expected) => {
    expect(normalizeEtag(input)).toBe(expected);
  });
});
