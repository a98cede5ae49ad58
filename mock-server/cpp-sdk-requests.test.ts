// Exactly what the OSS C++ SDK 1.10 puts on the wire with an IP endpoint (docs/protocol.md#cpp-sdk): path style
// `/<bucket>/<key>`, a Date header with a V1 signature (or x-oss-date + V4), PutObject and UploadPart as chunked bodies
// without Content-Length, ListBuckets as `GET //`; and the response headers it checks (ETag and x-oss-hash-crc64ecma,
// compared with its own CRC-64).
import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../protocol/crc64.js';
import { isoBasic } from '../protocol/dates.js';
import { authorizeV4, type SignableRequest } from '../protocol/signing.js';
import { errorOf, v1Headers, xmlBody, xmlList } from './http/test-support/test-mock.js';
import { startMockOss, type MockOssHandle } from './index.js';

let mock: MockOssHandle;
beforeAll(async () => {
  mock = await startMockOss();
});
afterAll(() => mock.close());

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request through node:http; `chunks` are written one by one, so without Content-Length they go chunked. */
function send(o: { method: string; path: string; headers: Record<string, string>; chunks?: Buffer[] }) {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: mock.port, method: o.method, path: o.path, headers: o.headers },
      (res) => {
        const body: Buffer[] = [];
        res.on('data', (c: Buffer) => body.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(body) }));
      },
    );
    req.on('error', reject);
    for (const chunk of o.chunks ?? []) req.write(chunk);
    req.end();
  });
}

function signed(r: Omit<SignableRequest, 'headers'> & { headers?: Record<string, string> }) {
  return { host: `127.0.0.1:${mock.port}`, ...v1Headers(mock, r) };
}

const md5Hex = (b: Buffer) => createHash('md5').update(b).digest('hex').toUpperCase();
const body = [Buffer.alloc(70_000, 'a'), Buffer.alloc(50_000, 'b'), Buffer.from('tail')];
const whole = Buffer.concat(body);

describe('the C++ SDK wire format', () => {
  it('creates a bucket and puts an object as a chunked body with no Content-Length', async () => {
    const create = await send({
      method: 'PUT',
      path: '/cpp-bucket/',
      headers: signed({ method: 'PUT', bucket: 'cpp-bucket', query: [] }),
    });
    expect(create.status).toBe(200);
    const headers = signed({
      method: 'PUT',
      bucket: 'cpp-bucket',
      key: 'dir/file name.bin',
      query: [],
      headers: { 'content-type': 'application/octet-stream' },
    });
    const put = await send({ method: 'PUT', path: '/cpp-bucket/dir/file%20name.bin', headers, chunks: body });
    expect(put.status).toBe(200);
    expect(put.headers.etag).toBe(`"${md5Hex(whole)}"`);
    expect(put.headers['x-oss-hash-crc64ecma']).toBe((await crc64(whole)).toString());
    expect(put.headers['x-oss-request-id']).toMatch(/^[0-9A-F]{24}$/);
  });

  it('gets it back with the whole-object CRC the SDK compares', async () => {
    const get = await send({
      method: 'GET',
      path: '/cpp-bucket/dir/file%20name.bin',
      headers: signed({ method: 'GET', bucket: 'cpp-bucket', key: 'dir/file name.bin', query: [] }),
    });
    expect(get.status).toBe(200);
    expect(Buffer.compare(get.body, whole)).toBe(0);
    expect(get.headers['x-oss-hash-crc64ecma']).toBe((await crc64(whole)).toString());
  });

  it('lists buckets with `GET //` (empty bucket, its slash still appended)', async () => {
    const list = await send({ method: 'GET', path: '//', headers: signed({ method: 'GET', query: [] }) });
    expect(list.status).toBe(200);
    const buckets = xmlList((xmlBody(list.body.toString()).Buckets as Record<string, unknown>).Bucket);
    expect(buckets.map((b) => b.Name)).toContain('cpp-bucket');
  });

  it('uploads a part chunked and completes with the combined CRC', async () => {
    const key = 'multi.bin';
    const initiate = await send({
      method: 'POST',
      path: `/cpp-bucket/${key}?uploads`,
      headers: signed({ method: 'POST', bucket: 'cpp-bucket', key, query: [['uploads', undefined]] }),
    });
    const uploadId = xmlBody(initiate.body.toString()).UploadId as string;
    const query: Array<[string, string]> = [
      ['partNumber', '1'],
      ['uploadId', uploadId],
    ];
    const part = await send({
      method: 'PUT',
      path: `/cpp-bucket/${key}?partNumber=1&uploadId=${uploadId}`,
      headers: signed({ method: 'PUT', bucket: 'cpp-bucket', key, query }),
      chunks: body,
    });
    expect(part.status).toBe(200);
    expect(part.headers.etag).toBe(`"${md5Hex(whole)}"`);
    expect(part.headers['x-oss-hash-crc64ecma']).toBe((await crc64(whole)).toString());
    const xml = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.etag}</ETag></Part></CompleteMultipartUpload>`;
    const complete = await send({
      method: 'POST',
      path: `/cpp-bucket/${key}?uploadId=${uploadId}`,
      headers: {
        ...signed({
          method: 'POST',
          bucket: 'cpp-bucket',
          key,
          query: [['uploadId', uploadId]],
          headers: { 'content-type': 'application/xml' },
        }),
        'content-length': String(Buffer.byteLength(xml)),
      },
      chunks: [Buffer.from(xml)],
    });
    expect(complete.status).toBe(200);
    expect(complete.headers['x-oss-hash-crc64ecma']).toBe((await crc64(whole)).toString());
  });

  it('accepts its V4 signature (x-oss-date, x-oss-content-sha256: UNSIGNED-PAYLOAD)', async () => {
    const r: SignableRequest = {
      method: 'HEAD',
      bucket: 'cpp-bucket',
      key: 'dir/file name.bin',
      query: [],
      headers: { 'x-oss-date': isoBasic(new Date()), 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD' },
    };
    const { authorization } = authorizeV4(r, mock, { region: mock.region });
    const get = await send({
      method: 'HEAD',
      path: '/cpp-bucket/dir/file%20name.bin',
      headers: { host: `127.0.0.1:${mock.port}`, ...r.headers, authorization },
    });
    expect(get.status).toBe(200);
    expect(get.headers['content-length']).toBe(String(whole.length));
  });

  it('sees a missing key on HEAD as an error it can decode from x-oss-err', async () => {
    const head = await send({
      method: 'HEAD',
      path: '/cpp-bucket/none',
      headers: signed({ method: 'HEAD', bucket: 'cpp-bucket', key: 'none', query: [] }),
    });
    expect(head.status).toBe(404);
    expect(errorOf({ text: '', headers: head.headers as Record<string, string> }).Code).toBe('NoSuchKey');
  });
});
