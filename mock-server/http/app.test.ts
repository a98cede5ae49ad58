// The wire contract shared by every operation: common headers, the error envelope, addressing, dispatch errors,
// authentication at the HTTP level, and the control API mount (docs/protocol.md#addressing,
// docs/protocol.md#v1-signature).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorOf, startTestMock, v1Headers, type TestMock } from './test-support/test-mock.js';

let t: TestMock;
beforeAll(async () => {
  t = await startTestMock();
  await t.http.put('/wire-bucket').expect(200);
  await t.http.put('/wire-bucket/k').send('data').expect(200);
});
afterAll(() => t.close());

describe('common headers (docs/protocol.md#common-headers)', () => {
  it('every response carries x-oss-request-id, Date, Server and x-oss-server-time', async () => {
    for (const res of [await t.http.get('/wire-bucket/k'), await t.http.get('/no-such-bucket/k')]) {
      expect(res.headers['x-oss-request-id']).toMatch(/^[0-9A-F]{24}$/);
      const seconds = parseInt(res.headers['x-oss-request-id']!.slice(0, 8), 16);
      expect(Math.abs(seconds * 1000 - Date.parse(res.headers.date!))).toBeLessThanOrEqual(1000);
      expect(res.headers.server).toBe('AliyunOSS');
      expect(res.headers['x-oss-server-time']).toMatch(/^\d+$/);
    }
  });
});

describe('error envelope (docs/protocol.md#error-envelope)', () => {
  it('is XML with Code, Message, RequestId, HostId, extras, EC, RecommendDoc and an x-oss-ec header', async () => {
    const res = await t.http.get('/no-such-bucket/').set('Host', 'my.host:1234');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/xml');
    expect(res.headers['x-oss-ec']).toBe('0015-00000101');
    expect(res.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(errorOf(res)).toEqual({
      Code: 'NoSuchBucket',
      Message: 'The specified bucket does not exist.',
      RequestId: res.headers['x-oss-request-id'],
      HostId: 'my.host:1234',
      BucketName: 'no-such-bucket',
      EC: '0015-00000101',
      RecommendDoc: 'https://api.aliyun.com/troubleshoot?q=0015-00000101',
    });
  });

  it('on HEAD has no body and carries the XML base64-encoded in x-oss-err', async () => {
    const res = await t.http.head('/wire-bucket/missing');
    expect(res.status).toBe(404);
    expect(res.text ?? '').toBe('');
    expect(res.headers['x-oss-ec']).toBe('0026-00000001');
    expect(errorOf(res)).toMatchObject({ Code: 'NoSuchKey', Key: 'missing' });
  });

  it('turns an unexpected failure into 500 InternalError and keeps serving', async () => {
    const spy = vi.spyOn(t.mock.control, 'planFor').mockImplementationOnce(() => {
      throw new Error('boom');
    });
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const res = await t.http.get('/wire-bucket/k');
    expect(res.status).toBe(500);
    expect(errorOf(res).Code).toBe('InternalError');
    expect(quiet).toHaveBeenCalled();
    spy.mockRestore();
    quiet.mockRestore();
    await t.http.get('/wire-bucket/k').expect(200, 'data');
  });
});

describe('dispatch errors are clear OSS errors, never a 500 or a hang', () => {
  it.each([
    ['PATCH', '/wire-bucket/k', 405, 'MethodNotAllowed'],
    ['TRACE', '/wire-bucket/', 405, 'MethodNotAllowed'],
    ['PUT', '/wire-bucket/k?cors', 400, 'NotImplemented'],
    ['GET', '/wire-bucket/k?x-oss-process=image/resize,w_10', 400, 'NotImplemented'],
    ['PUT', '/wire-bucket/k?uploadId=X', 400, 'InvalidRequest'],
    ['GET', '/wire-bucket/?list-type=3', 400, 'InvalidArgument'],
  ])('%s %s -> %d %s', async (method, path, status, code) => {
    const res = await t.http[method.toLowerCase() as 'patch'](path);
    expect(res.status).toBe(status);
    expect(errorOf(res).Code).toBe(code);
  });
});

describe('addressing (docs/protocol.md#addressing)', () => {
  it('serves ListBuckets for the C++ SDK `GET //` and for the ali-oss leading-dot host', async () => {
    for (const res of [await t.http.get('//'), await t.http.get('/').set('Host', '.oss-cn-hangzhou.aliyuncs.com')]) {
      expect(res.status).toBe(200);
      expect(res.text).toContain('<Name>wire-bucket</Name>');
    }
  });

  it('finds the bucket in an ali-oss virtual host and a <bucket>.localhost host', async () => {
    await t.http.get('/k').set('Host', 'wire-bucket.oss-cn-hangzhou.aliyuncs.com').expect(200, 'data');
    await t.http.get('/k').set('Host', 'wire-bucket.localhost:9000').expect(200, 'data');
  });

  it('validates bucket names and object keys', async () => {
    const badBucket = await t.http.get('/Bad_Bucket/k');
    expect(errorOf(badBucket)).toMatchObject({ Code: 'InvalidBucketName', BucketName: 'Bad_Bucket' });
    const badKey = await t.http.put('/wire-bucket/%5Cleading-backslash').send('x');
    expect(errorOf(badKey).Code).toBe('InvalidObjectName');
    const longKey = await t.http.put(`/wire-bucket/${'k'.repeat(1024)}`).send('x');
    expect(errorOf(longKey)).toMatchObject({ Code: 'InvalidObjectName' });
  });

  it('refuses x-oss-traffic-limit outside 819200..838860800 bit/s', async () => {
    const res = await t.http.get('/wire-bucket/k').set('x-oss-traffic-limit', '100');
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ Code: 'InvalidArgument', ArgumentName: 'x-oss-traffic-limit' });
    await t.http.get('/wire-bucket/k?x-oss-traffic-limit=819200').expect(200, 'data');
  });
});

describe('control API mount', () => {
  it('answers /_mock/ on path-style requests only', async () => {
    const health = await t.http.get('/_mock/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const virtual = await t.http.get('/_mock/health').set('Host', 'no-such-bucket.oss-cn-hangzhou.aliyuncs.com');
    expect(errorOf(virtual).Code).toBe('NoSuchBucket');
  });

  it('logs request start and end with the status and OSS code', async () => {
    const since = t.mock.control.health().lastEventSeq;
    await t.http.get('/wire-bucket/missing');
    const events = t.mock.control.events(since).filter((e) => e.type.startsWith('request.'));
    expect(events.map((e) => e.type)).toEqual(['request.start', 'request.end']);
    expect(events[1]).toMatchObject({
      operation: 'GetObject',
      bucket: 'wire-bucket',
      key: 'missing',
      status: 404,
      code: 'NoSuchKey',
    });
  });
});

describe('authentication on the wire (docs/protocol.md#v1-signature)', () => {
  let secured: TestMock;
  beforeAll(async () => {
    secured = await startTestMock({ auth: true });
  });
  afterAll(() => secured.close());

  it('refuses anonymous requests with 403 AccessDenied', async () => {
    const res = await secured.http.get('/');
    expect(res.status).toBe(403);
    expect(errorOf(res).Code).toBe('AccessDenied');
  });

  it('accepts a V1-signed request and names the string to sign on a mismatch', async () => {
    const ok = v1Headers(secured.mock, { method: 'PUT', bucket: 'auth-bucket', query: [] });
    await secured.http.put('/auth-bucket').set(ok).expect(200);
    const bad = v1Headers(secured.mock, { method: 'GET', bucket: 'auth-bucket', query: [] });
    const res = await secured.http.put('/auth-bucket').set(bad);
    expect(res.status).toBe(403);
    const err = errorOf(res);
    expect(err).toMatchObject({ Code: 'SignatureDoesNotMatch', OSSAccessKeyId: secured.mock.accessKeyId });
    expect(err.StringToSign).toBe(`PUT\n\n\n${bad.date}\n/auth-bucket/`);
    expect(res.text).not.toContain(secured.mock.accessKeySecret);
  });

  it('answers RequestTimeTooSkewed with ServerTime', async () => {
    const old = new Date(Date.now() - 3600_000);
    const res = await secured.http.get('/').set(v1Headers(secured.mock, { method: 'GET', query: [] }, old));
    expect(res.status).toBe(403);
    expect(errorOf(res)).toMatchObject({ Code: 'RequestTimeTooSkewed' });
    expect(errorOf(res).ServerTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  });

  it('refuses an unknown access key id', async () => {
    const headers = v1Headers(secured.mock, { method: 'GET', query: [] });
    headers.authorization = headers.authorization!.replace(secured.mock.accessKeyId, 'unknown-id');
    const res = await secured.http.get('/').set(headers);
    expect(errorOf(res).Code).toBe('InvalidAccessKeyId');
  });
});
