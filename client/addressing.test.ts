import { describe, expect, it } from 'vitest';
import { encodeQuery, parseEndpoint, requestTarget } from './addressing.js';

describe('C++ SDK addressing', () => {
  const ip = parseEndpoint('http://127.0.0.1:9000');
  const host = parseEndpoint('http://localhost:9000');

  it('uses path style for an IPv4 endpoint: object, bucket, and ListBuckets as //', () => {
    expect(requestTarget(ip, { pathStyle: false, bucket: 'bkt', key: 'a/b c+d~é' })).toEqual({
      host: '127.0.0.1:9000',
      connectHost: '127.0.0.1',
      port: 9000,
      path: '/bkt/a/b%20c%2Bd~%C3%A9',
    });
    expect(requestTarget(ip, { pathStyle: false, bucket: 'bkt' }).path).toBe('/bkt/');
    expect(requestTarget(ip, { pathStyle: false }).path).toBe('//');
  });

  it('uses virtual-hosted style for a host name, connecting *.localhost to localhost', () => {
    const t = requestTarget(host, { pathStyle: false, bucket: 'bkt', key: 'k', query: [['uploads', undefined]] });
    expect(t).toEqual({ host: 'bkt.localhost:9000', connectHost: 'localhost', port: 9000, path: '/k?uploads' });
    expect(requestTarget(host, { pathStyle: false }).path).toBe('/');
  });

  it('uses path style for a host name when asked', () => {
    const t = requestTarget(host, { pathStyle: true, bucket: 'bkt', key: 'k' });
    expect(t.host).toBe('localhost:9000');
    expect(t.path).toBe('/bkt/k');
  });

  it('parses endpoints: default scheme, default ports, IPv6 refused', () => {
    expect(parseEndpoint('oss-cn-hangzhou.aliyuncs.com')).toEqual({
      protocol: 'http:',
      hostname: 'oss-cn-hangzhou.aliyuncs.com',
      port: undefined,
    });
    const https = parseEndpoint('https://Example.COM');
    expect(requestTarget(https, { pathStyle: false, bucket: 'b-1', key: 'k' })).toMatchObject({
      host: 'b-1.example.com',
      port: 443,
    });
    expect(() => parseEndpoint('http://[::1]:9000')).toThrow(expect.objectContaining({ code: 'ValidateError' }));
    expect(() => parseEndpoint('ftp://host')).toThrow(expect.objectContaining({ code: 'ValidateError' }));
  });

  it('encodes query names and values, bare names for empty values', () => {
    expect(
      encodeQuery([
        ['prefix', 'a b/c'],
        ['uploads', undefined],
        ['marker', ''],
      ]),
    ).toBe('prefix=a%20b%2Fc&uploads&marker');
  });
});
