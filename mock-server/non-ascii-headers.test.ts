// Non-ASCII header values are signed as the bytes on the wire (V1 and V4, header and presigned) and user metadata
// comes back as the bytes it was sent: through ali-oss (whose test suite sets `headerEncoding: 'latin1'` for this,
// ali-sdk/ali-oss test/node/object.test.js "options.headerEncoding"), through the project's OssClient, and raw.
import OSS from 'ali-oss';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OssClient } from '../client/client.js';
import { toWireHeader } from '../protocol/signing.js';
import { startMockOss, type MockOssHandle } from './index.js';

const TEXT = '阿达的大多';
/** how ali-oss (and node:http) hold the UTF-8 bytes of TEXT: one character per byte */
const WIRE = Buffer.from(TEXT).toString('latin1');

let mock: MockOssHandle;
beforeAll(async () => {
  mock = await startMockOss();
});
afterAll(async () => {
  await mock.close();
});

/** One request whose answer headers are read as raw bytes (latin1 strings keep one char per byte). */
function request(
  url: string,
  o: { method: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method, headers: o.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

describe.each([
  { sig: 'v1', authorizationV4: false },
  { sig: 'v4', authorizationV4: true },
] as const)('ali-oss $sig with headerEncoding latin1', (o) => {
  const bucket = `non-ascii-ali-${o.sig}`;
  let client: OSS;
  beforeAll(async () => {
    client = new OSS({
      endpoint: mock.endpoint,
      region: 'oss-cn-hangzhou',
      accessKeyId: mock.accessKeyId,
      accessKeySecret: mock.accessKeySecret,
      authorizationV4: o.authorizationV4,
      headerEncoding: 'latin1',
      bucket,
    } as OSS.Options);
    await client.putBucket(bucket);
  });

  it('put, head, copy and putMeta with non-ASCII metadata are accepted, and the bytes come back', async () => {
    const put = await client.put('put-latin1.js', Buffer.from('123'), { meta: { a: TEXT } as never });
    expect(put.res.status).toBe(200);
    const head = await client.head('put-latin1.js');
    // ali-oss's own test expects the latin1 form: the server returns the bytes it was sent
    expect(head.meta).toMatchObject({ a: WIRE });
    expect(Buffer.from((head.meta as Record<string, string>).a!, 'latin1').toString('utf8')).toBe(TEXT);

    const copy = await client.copy('copy-latin1-中文.js', 'put-latin1.js', { meta: { a: TEXT } as never });
    expect(copy.res.status).toBe(200);
    expect((await client.head('copy-latin1-中文.js')).meta).toMatchObject({ a: WIRE });

    const putMeta = await client.putMeta('put-latin1.js', { a: `${TEXT}2` } as never, {});
    expect(putMeta.res.status).toBe(200);
    expect((await client.head('put-latin1.js')).meta).toMatchObject({ a: toWireHeader(`${TEXT}2`) });
  });
});

describe.each(['v1', 'v4'] as const)('OssClient %s', (signatureVersion) => {
  const bucket = `non-ascii-own-${signatureVersion}`;
  let client: OssClient;
  beforeAll(async () => {
    client = new OssClient({
      endpoint: mock.endpoint,
      accessKeyId: mock.accessKeyId,
      accessKeySecret: mock.accessKeySecret,
      signatureVersion,
    });
    await client.putBucket({ bucket });
  });
  afterAll(() => client.close());

  it('sends text metadata as UTF-8, signed as sent, and reads it back as text', async () => {
    await client.putObject({ bucket, key: 'k', body: Buffer.from('x'), meta: { a: TEXT, b: 'plain', c: 'café à' } });
    const head = await client.headObject({ bucket, key: 'k' });
    expect(head.meta).toEqual({ a: TEXT, b: 'plain', c: 'café à' });
    // the bytes on the wire are UTF-8, as OSS stores and returns them
    const raw = await request(client.presignUrl({ bucket, key: 'k', method: 'GET' }), { method: 'GET' });
    expect(raw.status).toBe(200);
    expect(raw.headers['x-oss-meta-a']).toBe(WIRE);
  });

  it('presigns a PUT that carries a non-ASCII x-oss-meta header', async () => {
    const headers = { 'x-oss-meta-who': TEXT, 'content-type': 'text/plain' };
    const url = client.presignUrl({ bucket, key: 'presigned', method: 'PUT', headers });
    const wire = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, toWireHeader(v)]));
    const put = await request(url, { method: 'PUT', headers: wire, body: Buffer.from('y') });
    expect(put.status).toBe(200);
    expect((await client.headObject({ bucket, key: 'presigned' })).meta).toEqual({ who: TEXT });
    // a different value than the one signed is refused
    const other = await request(url, {
      method: 'PUT',
      headers: { ...wire, 'x-oss-meta-who': toWireHeader(`${TEXT}!`) },
      body: Buffer.from('y'),
    });
    expect(other.status).toBe(403);
    expect(other.body).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});
