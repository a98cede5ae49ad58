// Bucket CORS against a listening mock, on both stores: Put/Get/DeleteBucketCORS through ali-oss, the preflight
// (OPTIONS) answered from the rules, the CORS headers of actual answers (errors included) and Vary: Origin, checked
// on the wire with Node's fetch (which, unlike a browser, lets a test send any Origin and read every header); and
// the rules still there after the file store restarts.
import OSS from 'ali-oss';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXml } from '../protocol/xml.js';
import { startMockOss, type MockOssHandle } from './index.js';

const STORES = [{ store: 'memory' }, { store: 'file' }] as const;

function clientOf(mock: MockOssHandle, bucket: string): OSS {
  return new OSS({
    endpoint: mock.endpoint,
    region: 'oss-cn-hangzhou',
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
    bucket,
  } as OSS.Options);
}

async function errorOf(res: Response): Promise<{ code: string; message: string; ec: string }> {
  const e = parseXml(await res.text()).Error as Record<string, string>;
  return { code: e.Code!, message: e.Message!, ec: e.EC! };
}

const statusOf = (r: unknown): number => (r as { res: { status: number } }).res.status;

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-max-age',
];

function corsHeaders(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...CORS_HEADERS, 'vary']) {
    const value = res.headers.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

describe.each(STORES)('bucket CORS on the $store store', ({ store }) => {
  let mock: MockOssHandle;
  let dir: string | undefined;
  let client: OSS;
  const bucket = `cors-${store}`;

  const start = async () => {
    mock = await startMockOss(dir === undefined ? {} : { dataDir: dir });
    client = clientOf(mock, bucket);
  };

  beforeAll(async () => {
    dir = store === 'file' ? await mkdtemp(join(tmpdir(), 'oss-mock-cors-')) : undefined;
    await start();
    await client.putBucket(bucket);
    await client.put('public.txt', Buffer.from('hello'), { headers: { 'x-oss-object-acl': 'public-read' } });
  });
  afterAll(async () => {
    await mock.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const objectUrl = (key: string) => `${mock.endpoint}/${bucket}/${key}`;

  it('GetBucketCORS without rules is 404 NoSuchCORSConfiguration; a preflight is 403 AccessForbidden', async () => {
    await expect(client.getBucketCORS(bucket)).rejects.toMatchObject({
      status: 404,
      code: 'NoSuchCORSConfiguration',
      ecCode: '0034-00000001',
    });
    const res = await fetch(objectUrl('public.txt'), {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'GET' },
    });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('AccessForbidden');
    expect(corsHeaders(res)).toEqual({});
  });

  it('PutBucketCORS, GetBucketCORS round trip through ali-oss; DeleteBucketCORS is 204', async () => {
    const put = await client.putBucketCORS(bucket, [
      {
        allowedOrigin: ['http://app.example', 'https://*.example.org'],
        allowedMethod: ['GET', 'PUT', 'POST'],
        allowedHeader: ['x-oss-*', 'content-type'],
        exposeHeader: ['ETag', 'x-oss-request-id'],
        maxAgeSeconds: '60',
      },
      { allowedOrigin: '*', allowedMethod: 'HEAD' },
    ]);
    expect(statusOf(put)).toBe(200);
    const got = await client.getBucketCORS(bucket);
    expect(got.rules).toEqual([
      {
        allowedOrigin: ['http://app.example', 'https://*.example.org'],
        allowedMethod: ['GET', 'PUT', 'POST'],
        allowedHeader: ['x-oss-*', 'content-type'],
        exposeHeader: ['ETag', 'x-oss-request-id'],
        maxAgeSeconds: '60',
      },
      { allowedOrigin: '*', allowedMethod: 'HEAD' },
    ]);
  });

  it("a preflight a rule allows: 200 with the rule's headers and the requested headers echoed", async () => {
    const res = await fetch(objectUrl('public.txt'), {
      method: 'OPTIONS',
      headers: {
        origin: 'https://www.example.org',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'X-OSS-Meta-A, Content-Type',
      },
    });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': 'https://www.example.org',
      'access-control-allow-methods': 'GET, PUT, POST',
      'access-control-allow-headers': 'x-oss-meta-a, content-type',
      'access-control-expose-headers': 'ETag, x-oss-request-id',
      'access-control-max-age': '60',
    });
    // the second rule's `*` origin answers `*`
    const any = await fetch(`${mock.endpoint}/${bucket}/`, {
      method: 'OPTIONS',
      headers: { origin: 'http://elsewhere.example', 'access-control-request-method': 'HEAD' },
    });
    expect(any.status).toBe(200);
    expect(corsHeaders(any)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'HEAD',
    });
  });

  it('preflights no rule allows (origin, method, a header) are 403 AccessForbidden without CORS headers', async () => {
    const cases: Array<Record<string, string>> = [
      { origin: 'http://evil.example', 'access-control-request-method': 'GET' },
      { origin: 'http://app.example', 'access-control-request-method': 'DELETE' },
      {
        origin: 'http://app.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization',
      },
    ];
    for (const headers of cases) {
      const res = await fetch(objectUrl('public.txt'), { method: 'OPTIONS', headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      const error = await errorOf(res);
      expect(error.code).toBe('AccessForbidden');
      expect(error.message).toMatch(/^CORSResponse: This CORS request is not allowed/);
      expect(corsHeaders(res)).toEqual({});
    }
    const noOrigin = await fetch(objectUrl('public.txt'), {
      method: 'OPTIONS',
      headers: { 'access-control-request-method': 'GET' },
    });
    expect(noOrigin.status).toBe(400);
    expect(await errorOf(noOrigin)).toMatchObject({
      code: 'BadRequest',
      message: 'Insufficient information. Origin request header needed.',
    });
    const noMethod = await fetch(objectUrl('public.txt'), {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example' },
    });
    expect(noMethod.status).toBe(400);
    expect((await errorOf(noMethod)).message).toBe(
      'Insufficient information. Request Access-Control-Request-Method header needed.',
    );
    const noBucket = await fetch(`${mock.endpoint}/no-such-cors-bucket/k`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'GET' },
    });
    expect(noBucket.status).toBe(404);
    expect((await errorOf(noBucket)).code).toBe('NoSuchBucket');
  });

  it("actual answers carry the matching rule's headers, error answers too; no Origin or no match: none", async () => {
    const ok = await fetch(objectUrl('public.txt'), { headers: { origin: 'http://app.example' } });
    expect(ok.status).toBe(200);
    expect(corsHeaders(ok)).toEqual({
      'access-control-allow-origin': 'http://app.example',
      'access-control-allow-methods': 'GET, PUT, POST',
      'access-control-expose-headers': 'ETag, x-oss-request-id',
      'access-control-max-age': '60',
    });
    // an unsigned GET of a key that is not public: 403 AccessDenied, which the page can read all the same
    const missing = await fetch(objectUrl('missing.txt'), { headers: { origin: 'http://app.example' } });
    expect(missing.status).toBe(403);
    expect(corsHeaders(missing)['access-control-allow-origin']).toBe('http://app.example');
    const noOrigin = await fetch(objectUrl('public.txt'));
    expect(corsHeaders(noOrigin)).toEqual({});
    const otherMethod = await fetch(objectUrl('public.txt'), {
      method: 'DELETE',
      headers: { origin: 'http://app.example' },
    });
    expect(otherMethod.status).toBe(403);
    expect(corsHeaders(otherMethod)).toEqual({});
  });

  it('ResponseVary true: Vary: Origin on every answer of the bucket, with or without Origin, success or not', async () => {
    const xml =
      '<CORSConfiguration><CORSRule><AllowedOrigin>http://app.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>' +
      '<ResponseVary>true</ResponseVary></CORSConfiguration>';
    await (client as unknown as { request(p: object): Promise<unknown> }).request({
      method: 'PUT',
      bucket,
      subres: 'cors',
      content: xml,
      mime: 'xml',
      successStatuses: [200],
    });
    const plain = await fetch(objectUrl('public.txt'));
    expect(corsHeaders(plain)).toEqual({ vary: 'Origin' });
    const denied = await fetch(objectUrl('public.txt'), {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(denied.status).toBe(403);
    expect(corsHeaders(denied)).toEqual({ vary: 'Origin' });
    const loose = client as unknown as { request(p: object): Promise<{ data: Buffer }> };
    const raw = await loose.request({ method: 'GET', bucket, subres: 'cors', successStatuses: [200] });
    const xmlBack = parseXml(raw.data.toString()).CORSConfiguration as Record<string, unknown>;
    expect(xmlBack.ResponseVary).toBe('true');
  });

  it('PutBucketCORS refuses bad configurations with the EC of the cause', async () => {
    const put = (xml: string) =>
      (client as unknown as { request(p: object): Promise<unknown> }).request({
        method: 'PUT',
        bucket,
        subres: 'cors',
        content: xml,
        mime: 'xml',
        successStatuses: [200],
      });
    const rule = (inner: string) => `<CORSConfiguration><CORSRule>${inner}</CORSRule></CORSConfiguration>`;
    await expect(put('<CORSConfiguration></CORSConfiguration>')).rejects.toMatchObject({
      status: 400,
      code: 'InvalidArgument',
      ecCode: '0034-00000002',
    });
    await expect(
      put(rule('<AllowedOrigin>*</AllowedOrigin><AllowedMethod>TEST</AllowedMethod>')),
    ).rejects.toMatchObject({ status: 400, code: 'InvalidArgument', ecCode: '0034-00000011' });
    await expect(put(rule('<AllowedOrigin>*</AllowedOrigin>'))).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(
      put(rule('<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><ExposeHeader>x-*</ExposeHeader>')),
    ).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(put('<CORSConfiguration><CORSRule>')).rejects.toMatchObject({ code: 'MalformedXML' });
    const eleven = `<CORSConfiguration>${'<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>'.repeat(11)}</CORSConfiguration>`;
    await expect(put(eleven)).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('the rules survive a restart of the file store; DeleteBucketCORS removes them (204)', async () => {
    if (store === 'file') {
      await mock.close();
      await start();
    }
    expect((await client.getBucketCORS(bucket)).rules).toEqual([
      { allowedOrigin: 'http://app.example', allowedMethod: 'GET' },
    ]);
    expect(statusOf(await client.deleteBucketCORS(bucket))).toBe(204);
    await expect(client.getBucketCORS(bucket)).rejects.toMatchObject({ code: 'NoSuchCORSConfiguration' });
    if (store === 'file') {
      await mock.close();
      await start();
      await expect(client.getBucketCORS(bucket)).rejects.toMatchObject({ code: 'NoSuchCORSConfiguration' });
    }
  });
});

describe('a browser form upload to the mock (preflight, then PostObject)', () => {
  let mock: MockOssHandle;
  const bucket = 'cors-form';
  beforeAll(async () => {
    mock = await startMockOss();
    const client = clientOf(mock, bucket);
    await client.putBucket(bucket);
    await client.putBucketCORS(bucket, [
      { allowedOrigin: 'http://app.example', allowedMethod: 'POST', allowedHeader: '*', exposeHeader: 'ETag' },
    ]);
  });
  afterAll(async () => {
    await mock.close();
  });

  it('the preflight for the POST is allowed; the form answer carries the CORS headers and exposes ETag', async () => {
    const url = `${mock.endpoint}/${bucket}/`;
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://app.example');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
    const signer = clientOf(mock, bucket) as OSS & {
      calculatePostSignature(policy: object): { OSSAccessKeyId: string; Signature: string; policy: string };
    };
    const signed = signer.calculatePostSignature({
      expiration: new Date(Date.now() + 3600_000).toISOString(),
      conditions: [{ bucket }],
    });
    const form = new FormData();
    form.append('key', 'from-browser.txt');
    form.append('OSSAccessKeyId', signed.OSSAccessKeyId);
    form.append('policy', signed.policy);
    form.append('Signature', signed.Signature);
    form.append('file', new Blob(['from a page']), 'page.txt');
    const upload = await fetch(url, { method: 'POST', body: form, headers: { origin: 'http://app.example' } });
    expect(upload.status).toBe(204);
    expect(corsHeaders(upload)).toEqual({
      'access-control-allow-origin': 'http://app.example',
      'access-control-allow-methods': 'POST',
      'access-control-expose-headers': 'ETag',
    });
    expect(upload.headers.get('etag')).toMatch(/^"[0-9A-F]{32}"$/);
    // another origin gets no CORS headers, so a browser would not hand the answer to its page
    const other = new FormData();
    for (const [name, value] of form) other.append(name, value);
    const elsewhere = await fetch(url, { method: 'POST', body: other, headers: { origin: 'http://evil.example' } });
    expect(elsewhere.status).toBe(204);
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });
});
