// OssClient against scripted loopback servers: the wire it sends, the errors it builds, CRC-64 checks, retries, and
// DisableRequest/EnableRequest (docs/protocol.md#cpp-sdk).
import type http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { crc64 } from '../protocol/crc64.js';
import { authorizeV1, authorizeV4, type SignableRequest } from '../protocol/signing.js';
import {
  ERROR_XML,
  rejectionOf,
  startRawServer,
  testClient,
  until,
  type RawServer,
  type RecordedRequest,
} from './test-support/raw-server.js';
import { Readable } from 'node:stream';
import { OssClient } from './client.js';
import { RequestGate } from './request-gate.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, recorded: RecordedRequest) => void,
  o?: { readBody?: boolean },
): Promise<RawServer> {
  const server = await startRawServer(handler, o);
  cleanups.push(() => server.close());
  return server;
}

function client(endpoint: string, o: Parameters<typeof testClient>[1] = {}): ReturnType<typeof testClient> {
  const c = testClient(endpoint, o);
  cleanups.push(() => c.close());
  return c;
}

function signable(r: RecordedRequest, bucket: string, key?: string): SignableRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.headers)) if (typeof value === 'string') headers[name] = value;
  const url = new URL(r.url, 'http://x');
  return { method: r.method, bucket, key, query: [...url.searchParams.entries()], headers };
}

function ok(res: http.ServerResponse, headers: Record<string, string> = {}, body = ''): void {
  res.writeHead(200, { 'x-oss-request-id': '5C3D9175B6FC201293AD4891', ...headers });
  res.end(body);
}

describe('the wire, as the C++ SDK sends it', () => {
  it('signs V1 with a Date header and uses path style for an IPv4 endpoint', async () => {
    const server = await serve((_req, res) => ok(res, { etag: '"ABC"' }));
    const result = await client(server.endpoint).putObject({ bucket: 'bkt', key: 'dir/a b+c.txt', body: 'hello' });
    const [r] = server.requests;
    expect(r!.url).toBe('/bkt/dir/a%20b%2Bc.txt');
    expect(r!.headers.host).toBe(`127.0.0.1:${server.port}`);
    expect(r!.headers.date).toMatch(/GMT$/);
    expect(r!.headers['content-length']).toBe('5');
    expect(r!.body.toString()).toBe('hello');
    const expected = authorizeV1(signable(r!, 'bkt', 'dir/a b+c.txt'), {
      accessKeyId: 'test-ak',
      accessKeySecret: 'test-sk',
    });
    expect(r!.headers.authorization).toBe(expected.authorization);
    expect(result.etag).toBe('ABC');
    expect(result.requestId).toBe('5C3D9175B6FC201293AD4891');
  });

  it('signs V4 with x-oss-date, UNSIGNED-PAYLOAD and the region scope', async () => {
    const server = await serve((_req, res) => ok(res));
    await client(server.endpoint, { signatureVersion: 'v4', region: 'oss-cn-shanghai' }).deleteObject({
      bucket: 'bkt',
      key: 'k',
    });
    const [r] = server.requests;
    expect(r!.headers['x-oss-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(r!.headers['x-oss-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(r!.headers.authorization).toMatch(
      /^OSS4-HMAC-SHA256 Credential=test-ak\/\d{8}\/cn-shanghai\/oss\/aliyun_v4_request,Signature=/,
    );
    const expected = authorizeV4(
      signable(r!, 'bkt', 'k'),
      { accessKeyId: 'test-ak', accessKeySecret: 'test-sk' },
      {
        region: 'cn-shanghai',
      },
    );
    expect(r!.headers.authorization).toBe(expected.authorization);
  });

  it('sends ListBuckets as GET // on a path-style endpoint and parses the result', async () => {
    const server = await serve((_req, res) =>
      ok(
        res,
        {},
        '<ListAllMyBucketsResult><Prefix></Prefix><Marker></Marker><MaxKeys>100</MaxKeys><IsTruncated>false</IsTruncated>' +
          '<Owner><ID>1</ID><DisplayName>me</DisplayName></Owner><Buckets><Bucket><Name>a-bucket</Name>' +
          '<Location>oss-cn-hangzhou</Location><CreationDate>2015-12-17T18:12:43.000Z</CreationDate></Bucket></Buckets>' +
          '</ListAllMyBucketsResult>',
      ),
    );
    const result = await client(server.endpoint).listBuckets();
    expect(server.requests[0]!.url).toBe('//');
    expect(result.buckets.map((b) => b.name)).toEqual(['a-bucket']);
    expect(result.buckets[0]!.creationDate?.toISOString()).toBe('2015-12-17T18:12:43.000Z');
  });

  it('sends a stream body chunked, without Content-Length', async () => {
    const server = await serve((_req, res) => ok(res));
    await client(server.endpoint).putObject({
      bucket: 'bkt',
      key: 'k',
      body: Readable.from([Buffer.from('ab'), Buffer.from('cd')]),
    });
    const [r] = server.requests;
    expect(r!.headers['transfer-encoding']).toBe('chunked');
    expect(r!.headers['content-length']).toBeUndefined();
    expect(r!.body.toString()).toBe('abcd');
  });
});

describe('server errors', () => {
  it('takes the code, message and request id from the XML body', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(404, { 'x-oss-request-id': 'HEADERID' });
      res.end(ERROR_XML('NoSuchBucket', 'The specified bucket does not exist.', 'BODYID'));
    });
    const err = await rejectionOf(client(server.endpoint).getObject({ bucket: 'bkt', key: 'k' }));
    expect(err).toMatchObject({ code: 'NoSuchBucket', status: 404, requestId: 'BODYID' });
    expect(err.message).toBe('The specified bucket does not exist.');
  });

  it('decodes x-oss-err on a HEAD, and falls back to ServerError:<status> without it', async () => {
    const xml = ERROR_XML('NoSuchKey', 'The specified key does not exist.');
    const server = await serve((req, res) => {
      const headers: Record<string, string> = { 'x-oss-request-id': 'HEADERID' };
      if (req.url === '/bkt/with-header') headers['x-oss-err'] = Buffer.from(xml).toString('base64');
      res.writeHead(404, headers);
      res.end();
    });
    const c = client(server.endpoint);
    expect(await rejectionOf(c.headObject({ bucket: 'bkt', key: 'with-header' }))).toMatchObject({
      code: 'NoSuchKey',
      status: 404,
    });
    expect(await rejectionOf(c.headObject({ bucket: 'bkt', key: 'bare' }))).toMatchObject({
      code: 'ServerError:404',
      status: 404,
      requestId: 'HEADERID',
    });
  });

  it('checks arguments before anything else (ValidateError)', async () => {
    const server = await serve((_req, res) => ok(res));
    const c = client(server.endpoint);
    c.disableRequests();
    expect((await rejectionOf(c.putObject({ bucket: 'Bad_Bucket', key: 'k', body: 'x' }))).code).toBe('ValidateError');
    expect((await rejectionOf(c.putObject({ bucket: 'bkt', key: '/abs', body: 'x' }))).code).toBe('ValidateError');
    expect(server.connections).toBe(0);
  });
});

describe('CRC-64', () => {
  it('fails a PutObject whose CRC header differs (100001, the SDK message)', async () => {
    const server = await serve((_req, res) => ok(res, { 'x-oss-hash-crc64ecma': '12345', 'x-oss-request-id': 'RID' }));
    const err = await rejectionOf(client(server.endpoint).putObject({ bucket: 'bkt', key: 'k', body: 'hello world' }));
    expect(err.code).toBe('ClientError:100001');
    expect(err.message).toBe(
      'Crc64 validation failed. Expected hash:12345 not equal to calculated hash:5981764153023615706. Transferd bytes:11. RequestId:RID',
    );
  });

  it('accepts a matching or missing CRC header', async () => {
    const crc = String(await crc64('hello world'));
    const server = await serve((req, res) => ok(res, req.url === '/bkt/with' ? { 'x-oss-hash-crc64ecma': crc } : {}));
    const c = client(server.endpoint);
    expect((await c.putObject({ bucket: 'bkt', key: 'with', body: 'hello world' })).crc64).toBe(BigInt(crc));
    expect((await c.putObject({ bucket: 'bkt', key: 'without', body: 'hello world' })).crc64).toBeUndefined();
  });

  it('checks GetObject without Range, and skips the check with Range', async () => {
    const server = await serve((_req, res) => ok(res, { 'x-oss-hash-crc64ecma': '1' }, 'content'));
    const c = client(server.endpoint);
    expect((await rejectionOf(c.getObject({ bucket: 'bkt', key: 'k' }))).code).toBe('ClientError:100001');
    const ranged = await c.getObject({ bucket: 'bkt', key: 'k', range: { start: 0, end: 6 } });
    expect(server.requests[1]!.headers.range).toBe('bytes=0-6');
    expect(ranged.content.toString()).toBe('content');
  });

  it('fails a streamed GetObject at its end on a mismatch', async () => {
    const server = await serve((_req, res) => ok(res, { 'x-oss-hash-crc64ecma': '1' }, 'content'));
    const { stream } = await client(server.endpoint).getObjectStream({ bucket: 'bkt', key: 'k' });
    const err = await rejectionOf(Readable.from(stream).toArray());
    expect(err.code).toBe('ClientError:100001');
  });

  it('checks the combined part CRCs against CompleteMultipartUpload', async () => {
    const server = await serve((_req, res) =>
      ok(
        res,
        { 'x-oss-hash-crc64ecma': '7' },
        '<CompleteMultipartUploadResult><ETag>"E-2"</ETag></CompleteMultipartUploadResult>',
      ),
    );
    const parts = [
      { partNumber: 1, etag: 'A', crc64: await crc64('ab'), size: 2 },
      { partNumber: 2, etag: '"B"', crc64: await crc64('cd'), size: 2 },
    ];
    const err = await rejectionOf(
      client(server.endpoint).completeMultipartUpload({ bucket: 'bkt', key: 'k', uploadId: 'U', parts }),
    );
    expect(err.code).toBe('ClientError:100001');
    expect(err.message).toContain(`calculated hash:${await crc64('abcd')}`);
    expect(server.requests[0]!.body.toString()).toContain('<Part><PartNumber>2</PartNumber><ETag>"B"</ETag></Part>');
  });
});

describe('retries (DefaultRetryStrategy)', () => {
  const retry = { maxRetries: 3, baseDelayMs: 1 };

  it('retries a 5xx and succeeds on the third attempt', async () => {
    const server = await serve((_req, res) => {
      if (server.requests.length <= 2) {
        res.writeHead(503);
        res.end();
      } else ok(res);
    });
    await client(server.endpoint, { retry }).putObject({ bucket: 'bkt', key: 'k', body: 'x' });
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => r.body.toString())).toEqual(['x', 'x', 'x']);
  });

  it('gives up after 3 retries (4 attempts)', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(500);
      res.end(ERROR_XML('InternalError', 'boom'));
    });
    const err = await rejectionOf(client(server.endpoint, { retry }).getObject({ bucket: 'bkt', key: 'k' }));
    expect(err.code).toBe('InternalError');
    expect(server.requests).toHaveLength(4);
  });

  it('retries RequestTimeTooSkewed but not other 4xx', async () => {
    const server = await serve((req, res) => {
      res.writeHead(req.url === '/bkt/skew' ? 403 : 404);
      res.end(ERROR_XML(req.url === '/bkt/skew' ? 'RequestTimeTooSkewed' : 'NoSuchKey', 'x'));
    });
    const c = client(server.endpoint, { retry });
    await rejectionOf(c.getObject({ bucket: 'bkt', key: 'skew' }));
    expect(server.requests).toHaveLength(4);
    await rejectionOf(c.getObject({ bucket: 'bkt', key: 'missing' }));
    expect(server.requests).toHaveLength(5);
  });

  it('retries an empty reply (200052)', async () => {
    const server = await serve((req, res) => (server.requests.length === 1 ? req.socket.destroy() : ok(res)));
    await client(server.endpoint, { retry }).putObject({ bucket: 'bkt', key: 'k', body: 'x' });
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a stream body, which cannot be sent twice', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const err = await rejectionOf(
      client(server.endpoint, { retry }).putObject({
        bucket: 'bkt',
        key: 'k',
        body: Readable.from([Buffer.from('x')]),
      }),
    );
    expect(err.code).toBe('ServerError:503');
    expect(server.requests).toHaveLength(1);
  });
});

describe('disableRequests / enableRequests', () => {
  /** A server that takes the whole body, then never answers until released. */
  async function stuckServer(): Promise<{ server: RawServer; release: () => void; closed: () => number }> {
    const waiting: http.ServerResponse[] = [];
    let closedConnections = 0;
    const server = await serve((req, res) => {
      req.socket.once('close', () => closedConnections++);
      if (req.url?.includes('fast')) ok(res);
      else waiting.push(res);
    });
    return { server, release: () => waiting.splice(0).forEach((res) => ok(res)), closed: () => closedConnections };
  }

  it('aborts an in-flight request with 200042 and closes its connection', async () => {
    const { server, closed } = await stuckServer();
    const c = client(server.endpoint);
    const pending = c.putObject({ bucket: 'bkt', key: 'slow', body: Buffer.alloc(100_000) });
    await until(() => server.requests.length === 1 && server.requests[0]!.body.length === 100_000);
    c.disableRequests();
    const err = await rejectionOf(pending);
    expect(err.code).toBe('ClientError:200042');
    expect(err.message).toBe('Operation was aborted by an application callback.');
    await until(() => closed() === 1);
  });

  it('aborts mid-body: the server never gets the whole body', async () => {
    const server = await serve(
      (req) => {
        // Read the first chunk, then stop reading: the client's body stays in flight.
        req.once('data', () => req.pause());
      },
      { readBody: false },
    );
    const c = client(server.endpoint);
    const pending = c.putObject({ bucket: 'bkt', key: 'k', body: Buffer.alloc(32 * 1024 * 1024) });
    await until(() => server.requests.length === 1);
    c.disableRequests();
    expect((await rejectionOf(pending)).code).toBe('ClientError:200042');
  });

  it('refuses calls while disabled with 100002 before opening a socket, and works again after enable', async () => {
    const { server } = await stuckServer();
    const c = client(server.endpoint);
    c.disableRequests();
    const err = await rejectionOf(c.putObject({ bucket: 'bkt', key: 'fast', body: 'x' }));
    expect(err.code).toBe('ClientError:100002');
    expect(err.message).toBe('Disable all requests by upper.');
    expect(server.connections).toBe(0);
    c.enableRequests();
    await c.putObject({ bucket: 'bkt', key: 'fast', body: 'x' });
    expect(server.requests).toHaveLength(1);
  });

  it('wakes a retry back-off on disable and rejects with 100002 without retrying', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    // The server seeing the request says nothing about the client having read the 503: disabling before that aborts
    // the attempt itself (200042, as the C++ SDK does too). Only the back-off starting says the attempt is over.
    const backOff = vi.spyOn(RequestGate.prototype, 'sleep');
    const c = client(server.endpoint, { retry: { maxRetries: 3, baseDelayMs: 600_000 } });
    const pending = c.getObject({ bucket: 'bkt', key: 'k' });
    await until(() => backOff.mock.calls.length === 1);
    expect(backOff.mock.calls[0]).toEqual([600_000]);
    c.disableRequests();
    expect((await rejectionOf(pending)).code).toBe('ClientError:100002');
    expect(server.requests).toHaveLength(1);
  });

  it('aborts a streamed GetObject body', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000000' });
      res.write(Buffer.alloc(1000));
    });
    const c = client(server.endpoint);
    const { stream } = await c.getObjectStream({ bucket: 'bkt', key: 'k' });
    const consumed = Readable.from(stream).toArray();
    c.disableRequests();
    expect((await rejectionOf(consumed)).code).toBe('ClientError:200042');
  });

  it('leaves another client running', async () => {
    const { server, release } = await stuckServer();
    const a = client(server.endpoint);
    const b = client(server.endpoint);
    const pendingA = a.putObject({ bucket: 'bkt', key: 'a', body: 'aaa' });
    let settledB = false;
    const pendingB = b.putObject({ bucket: 'bkt', key: 'b', body: 'bbb' }).finally(() => (settledB = true));
    await until(() => server.requests.length === 2);
    a.disableRequests();
    expect((await rejectionOf(pendingA)).code).toBe('ClientError:200042');
    expect(settledB).toBe(false);
    release();
    expect((await pendingB).status).toBe(200);
    expect(b.requestsEnabled).toBe(true);
  });

  it('lets a request that completed before the disable succeed', async () => {
    const server = await serve((_req, res) => ok(res));
    const c = client(server.endpoint);
    const result = await c.putObject({ bucket: 'bkt', key: 'k', body: 'x' });
    c.disableRequests();
    expect(result.status).toBe(200);
  });
});

describe('credentials', () => {
  it('takes either a key pair or a credentialsProvider, not both, and signs with what the provider returns', async () => {
    expect(() => new OssClient({ endpoint: 'http://127.0.0.1:1' })).toThrow(/accessKeyId and accessKeySecret/);
    const provider = { getCredentials: () => ({ accessKeyId: 'p', accessKeySecret: 's', securityToken: 'tok' }) };
    expect(
      () => new OssClient({ endpoint: 'http://127.0.0.1:1', accessKeyId: 'a', credentialsProvider: provider }),
    ).toThrow(/not both/);
    const server = await serve((_req, res) => res.end());
    const c = new OssClient({ endpoint: server.endpoint, credentialsProvider: provider });
    cleanups.push(() => c.close());
    await c.putObject({ bucket: 'bkt', key: 'k', body: 'x' });
    const sent = server.requests[0]!;
    expect(sent.headers['x-oss-security-token']).toBe('tok');
    expect(sent.headers.authorization).toMatch(/^OSS p:/);
  });
});
