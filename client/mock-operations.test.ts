// Every OssClient operation round-trips through the listening mock, signed V1 and V4, and presigned URLs work.
import http from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from '../mock-server/index.js';
import { crc64 } from '../protocol/crc64.js';
import { OssClient } from './client.js';
import { rejectionOf } from './test-support/raw-server.js';

let oss: MockOssHandle;
beforeAll(async () => {
  oss = await startMockOss();
});
afterAll(async () => {
  await oss.close();
});

function clientFor(o: Partial<ConstructorParameters<typeof OssClient>[0]> = {}): OssClient {
  return new OssClient({
    endpoint: oss.endpoint,
    accessKeyId: oss.accessKeyId,
    accessKeySecret: oss.accessKeySecret,
    ...o,
  });
}

/** A plain HTTP request to a URL (presigned URLs carry their own authorization). */
function fetchUrl(url: string, method: string, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body ? { 'content-length': body.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.each(['v1', 'v4'] as const)('operations signed %s', (signatureVersion) => {
  const bucket = `ops-${signatureVersion}`;
  let c: OssClient;
  beforeAll(async () => {
    c = clientFor({ signatureVersion });
    await c.putBucket({ bucket });
  });
  afterAll(() => c.close());

  it('buckets: list, info, create conflict-free, delete', async () => {
    const names = (await c.listBuckets()).buckets.map((b) => b.name);
    expect(names).toContain(bucket);
    const info = await c.getBucketInfo({ bucket });
    expect(info.name).toBe(bucket);
    expect(info.location).toBe('oss-cn-hangzhou');
    await c.putBucket({ bucket: `${bucket}-tmp`, acl: 'private', storageClass: 'Standard' });
    await c.deleteBucket({ bucket: `${bucket}-tmp` });
    expect((await rejectionOf(c.getBucketInfo({ bucket: `${bucket}-tmp` }))).code).toBe('NoSuchBucket');
  });

  it('objects: put (bytes, stream, file), get, range, conditions, head, delete', async () => {
    const put = await c.putObject({ bucket, key: 'dir/a b+c.txt', body: 'hello world', meta: { Owner: 'me' } });
    expect(put.etag).toBe('5EB63BBBE01EEED093CB22BB8F5ACDC3');
    expect(put.crc64).toBe(await crc64('hello world'));
    const got = await c.getObject({ bucket, key: 'dir/a b+c.txt' });
    expect(got.content.toString()).toBe('hello world');
    expect(got.meta).toEqual({ owner: 'me' });
    expect(got.crc64).toBe(put.crc64);
    const ranged = await c.getObject({ bucket, key: 'dir/a b+c.txt', range: { start: 6 } });
    expect(ranged.status).toBe(206);
    expect(ranged.content.toString()).toBe('world');
    expect((await rejectionOf(c.getObject({ bucket, key: 'dir/a b+c.txt', ifMatch: '"00"' }))).code).toBe(
      'PreconditionFailed',
    );
    expect((await rejectionOf(c.getObject({ bucket, key: 'dir/a b+c.txt', ifNoneMatch: put.etag }))).code).toBe(
      'ServerError:304',
    );
    const head = await c.headObject({ bucket, key: 'dir/a b+c.txt' });
    expect(head).toMatchObject({ contentLength: 11, etag: put.etag, objectType: 'Normal' });

    await c.putObject({ bucket, key: 'streamed', body: Readable.from([Buffer.from('str'), Buffer.from('eam')]) });
    const { stream } = await c.getObjectStream({ bucket, key: 'streamed' });
    expect(Buffer.concat(await stream.toArray()).toString()).toBe('stream');

    await c.deleteObject({ bucket, key: 'streamed' });
    expect((await rejectionOf(c.headObject({ bucket, key: 'streamed' }))).code).toBe('NoSuchKey');
  });

  it('copy, append, listObjects (V2 with encoding), deleteObjects', async () => {
    await c.putObject({ bucket, key: 'src/x', body: 'copy me' });
    const copied = await c.copyObject({ bucket, key: 'dst/x y', sourceKey: 'src/x' });
    expect((await c.getObject({ bucket, key: 'dst/x y' })).content.toString()).toBe('copy me');
    expect(copied.etag).toBe((await c.headObject({ bucket, key: 'src/x' })).etag);

    const first = await c.appendObject({ bucket, key: 'log', position: 0, body: 'abc', initCrc: 0n });
    expect(first.nextPosition).toBe(3);
    const second = await c.appendObject({ bucket, key: 'log', position: 3, body: 'def', initCrc: first.crc64 });
    expect(second.crc64).toBe(await crc64('abcdef'));
    expect((await rejectionOf(c.appendObject({ bucket, key: 'log', position: 1, body: 'x' }))).code).toBe(
      'PositionNotEqualToLength',
    );

    const listed = await c.listObjects({ bucket, prefix: 'dst/', delimiter: '/' });
    expect(listed.objects.map((o) => o.key)).toEqual(['dst/x y']);
    const page = await c.listObjects({ bucket, maxKeys: 1 });
    expect(page.isTruncated).toBe(true);
    const next = await c.listObjects({ bucket, maxKeys: 1000, continuationToken: page.nextContinuationToken });
    expect(next.objects.map((o) => o.key)).not.toContain(page.objects[0]!.key);

    const deleted = await c.deleteObjects({ bucket, keys: ['src/x', 'dst/x y'] });
    expect(deleted.deleted.sort()).toEqual(['dst/x y', 'src/x']);
    await c.deleteObjects({ bucket, keys: ['log'], quiet: true });
    expect((await rejectionOf(c.headObject({ bucket, key: 'log' }))).code).toBe('NoSuchKey');
  });

  it('multipart: initiate, upload, copy a part, list with pagination, list uploads, complete, abort', async () => {
    const key = 'big/object';
    const part1 = Buffer.alloc(100 * 1024, 1);
    const part3 = Buffer.from('tail');
    await c.putObject({ bucket, key: 'copy-source', body: Buffer.alloc(150 * 1024, 2) });
    const { uploadId } = await c.initiateMultipartUpload({ bucket, key });
    const p1 = await c.uploadPart({ bucket, key, uploadId, partNumber: 1, body: part1 });
    expect(p1.crc64).toBe(await crc64(part1));
    const p2 = await c.uploadPartCopy({
      bucket,
      key,
      uploadId,
      partNumber: 2,
      sourceKey: 'copy-source',
      sourceRange: { start: 0, end: 102_399 },
    });
    const p3 = await c.uploadPart({ bucket, key, uploadId, partNumber: 3, body: part3 });

    const firstPage = await c.listParts({ bucket, key, uploadId, maxParts: 2 });
    expect(firstPage.isTruncated).toBe(true);
    const all = await c.listAllParts({ bucket, key, uploadId, maxParts: 1 });
    expect(all.map((p) => [p.partNumber, p.size])).toEqual([
      [1, 102_400],
      [2, 102_400],
      [3, 4],
    ]);
    const uploads = await c.listMultipartUploads({ bucket, prefix: 'big/' });
    expect(uploads.uploads.map((u) => u.uploadId)).toContain(uploadId);

    const done = await c.completeMultipartUpload({
      bucket,
      key,
      uploadId,
      parts: all.map((p) => ({ partNumber: p.partNumber, etag: p.etag, crc64: p.crc64, size: p.size })),
    });
    expect(done.etag).toMatch(/-3$/);
    const expected = Buffer.concat([part1, Buffer.alloc(102_400, 2), part3]);
    expect(done.crc64).toBe(await crc64(expected));
    expect((await c.getObject({ bucket, key })).content.equals(expected)).toBe(true);
    expect([p1.etag, p2.etag, p3.etag].every((e) => /^[0-9A-F]{32}$/.test(e))).toBe(true);

    const other = await c.initiateMultipartUpload({ bucket, key: 'aborted' });
    await c.abortMultipartUpload({ bucket, key: 'aborted', uploadId: other.uploadId });
    expect((await rejectionOf(c.listParts({ bucket, key: 'aborted', uploadId: other.uploadId }))).code).toBe(
      'NoSuchUpload',
    );
  });

  it('presigned GET and PUT URLs', async () => {
    const putUrl = c.presignUrl({ bucket, key: 'signed/obj ect', method: 'PUT', expiresSeconds: 60 });
    expect((await fetchUrl(putUrl, 'PUT', Buffer.from('via url'))).status).toBe(200);
    const getUrl = c.presignUrl({ bucket, key: 'signed/obj ect' });
    const got = await fetchUrl(getUrl, 'GET');
    expect(got.status).toBe(200);
    expect(got.body.toString()).toBe('via url');
    const tampered = getUrl.replace('signed/obj%20ect', 'signed/other');
    expect((await fetchUrl(tampered, 'GET')).status).toBe(403);
  });
});

describe('addressing', () => {
  it('works virtual-hosted through <bucket>.localhost', async () => {
    const c = clientFor({ endpoint: oss.endpoint.replace('127.0.0.1', 'localhost') });
    await c.putBucket({ bucket: 'virtual-hosted' });
    await c.putObject({ bucket: 'virtual-hosted', key: 'k', body: 'v' });
    expect((await c.getObject({ bucket: 'virtual-hosted', key: 'k' })).content.toString()).toBe('v');
    c.close();
  });

  it('reports a bad signature as SignatureDoesNotMatch', async () => {
    const c = clientFor({ accessKeySecret: 'wrong' });
    expect((await rejectionOf(c.listBuckets())).code).toBe('SignatureDoesNotMatch');
    c.close();
  });
});
