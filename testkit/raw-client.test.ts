import { describe, expect, it } from 'vitest';
import { errorFields, RawClient } from './raw-client.js';

const target = { region: 'cn-hangzhou', accessKeyId: 'ak', accessKeySecret: 'sk' };

describe('RawClient addressing', () => {
  it('uses path style for IP and localhost endpoints, keys encoded as SDKs send them (docs/protocol.md#addressing)', () => {
    const raw = new RawClient({ ...target, endpoint: 'http://127.0.0.1:9000' });
    const url = raw.url('b', 'dir/a b+c', [
      ['uploads', undefined],
      ['prefix', 'x y'],
    ]);
    expect(url.toString()).toBe('http://127.0.0.1:9000/b/dir/a%20b%2Bc?uploads&prefix=x%20y');
    expect(new RawClient({ ...target, endpoint: 'http://localhost:1' }).url('b', undefined).toString()).toBe(
      'http://localhost:1/b/',
    );
  });

  it('uses virtual-hosted style for named endpoints, and the bare endpoint for the service', () => {
    const raw = new RawClient({ ...target, endpoint: 'https://oss-cn-hangzhou.aliyuncs.com' });
    expect(raw.url('b', 'k').toString()).toBe('https://b.oss-cn-hangzhou.aliyuncs.com/k');
    expect(raw.url(undefined, undefined).toString()).toBe('https://oss-cn-hangzhou.aliyuncs.com/');
  });

  it('signs V1 with a Date header and V4 with x-oss-date and UNSIGNED-PAYLOAD', () => {
    const raw = new RawClient({ ...target, endpoint: 'http://127.0.0.1:9000' });
    const date = new Date('2023-12-16T16:20:57Z');
    const v1 = raw.prepare({ method: 'GET', bucket: 'b', key: 'k', date });
    expect(v1.headers.date).toBe('Sat, 16 Dec 2023 16:20:57 GMT');
    expect(v1.headers.authorization).toMatch(/^OSS ak:[A-Za-z0-9+/]{27}=$/);
    const v4 = raw.prepare({ method: 'GET', bucket: 'b', key: 'k', date, auth: 'v4' });
    expect(v4.headers['x-oss-date']).toBe('20231216T162057Z');
    expect(v4.headers['x-oss-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(v4.headers.authorization).toMatch(
      /^OSS4-HMAC-SHA256 Credential=ak\/20231216\/cn-hangzhou\/oss\/aliyun_v4_request,Signature=[0-9a-f]{64}$/,
    );
    expect(raw.prepare({ method: 'GET', bucket: 'b', key: 'k', auth: 'none' }).headers).toEqual({});
  });
});

describe('errorFields', () => {
  it('reads the XML body, or the base64 x-oss-err header of a bodiless HEAD (docs/protocol.md#head-errors)', () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Key>k</Key></Error>';
    expect(errorFields({ status: 404, headers: {}, body: Buffer.from(xml) })).toEqual({ Code: 'NoSuchKey', Key: 'k' });
    const head = { status: 404, headers: { 'x-oss-err': Buffer.from(xml).toString('base64') }, body: Buffer.alloc(0) };
    expect(errorFields(head)).toEqual({ Code: 'NoSuchKey', Key: 'k' });
    expect(errorFields({ status: 404, headers: {}, body: Buffer.from('not xml <') })).toEqual({});
  });
});
