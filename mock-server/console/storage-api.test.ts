// The console's storage JSON (/_mock/ui/api) over a real mock, filled by ali-oss (the Node SDK, unmodified) and, for
// a versioned bucket, the project's OssClient.
import OSS from 'ali-oss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OssClient } from '../../client/index.js';
import { crc64 } from '../../protocol/crc64.js';
import { createHash } from 'node:crypto';
import { startMockOss, type MockOssHandle } from '../index.js';
import type { BucketRow, FinishedUploadRow, ObjectPage, ObjectRow, UploadRow, VersionRow } from './wire.js';

const BUCKET = 'browse-bucket';
let mock: MockOssHandle;
let oss: OSS;

beforeAll(async () => {
  mock = await startMockOss();
  oss = new OSS({
    endpoint: mock.endpoint,
    region: `oss-${mock.region}`,
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
    bucket: BUCKET,
  });
  await oss.putBucket(BUCKET);
  for (const key of ['a/1.txt', 'a/2.txt', 'a/b/3.txt', 'c.txt', 'd.txt']) await oss.put(key, Buffer.from(key));
});
afterAll(async () => {
  await mock.close();
});

async function json<T>(path: string, status = 200): Promise<T> {
  const res = await fetch(`${mock.endpoint}/_mock/ui/api${path}`);
  expect([path, res.status]).toEqual([path, status]);
  return (await res.json()) as T;
}

describe('console storage JSON', () => {
  it('lists buckets', async () => {
    const { buckets } = await json<{ buckets: Array<{ name: string; location: string }> }>('/buckets');
    expect(buckets).toEqual([expect.objectContaining({ name: BUCKET, location: 'oss-cn-hangzhou' })]);
  });

  it('pages objects under a prefix, rolled up by a delimiter, with the marker of the next page', async () => {
    const root = await json<ObjectPage>(`/objects?bucket=${BUCKET}&delimiter=/`);
    expect([root.prefixes, root.objects.map((o) => o.key), root.truncated]).toEqual([
      ['a/'],
      ['c.txt', 'd.txt'],
      false,
    ]);
    const a = await json<ObjectPage>(`/objects?bucket=${BUCKET}&prefix=a/&delimiter=/`);
    expect([a.prefixes, a.objects.map((o) => o.key)]).toEqual([['a/b/'], ['a/1.txt', 'a/2.txt']]);
    const first = await json<ObjectPage>(`/objects?bucket=${BUCKET}&max=2`);
    expect([first.objects.map((o) => o.key), first.truncated, first.nextMarker]).toEqual([
      ['a/1.txt', 'a/2.txt'],
      true,
      'a/2.txt',
    ]);
    const second = await json<ObjectPage>(`/objects?bucket=${BUCKET}&max=2&marker=${first.nextMarker}`);
    expect(second.objects.map((o) => o.key)).toEqual(['a/b/3.txt', 'c.txt']);
  });

  it("shows an object's metadata, ETag, CRC-64 and tags, and downloads it", async () => {
    const body = Buffer.from('tagged content');
    await oss.put('tagged/x y.bin', body, {
      headers: { 'x-oss-tagging': 'team=qa&env=dev', 'x-oss-meta-owner': 'me', 'content-type': 'text/plain' },
    });
    const o = await json<ObjectRow>(`/object?bucket=${BUCKET}&key=${encodeURIComponent('tagged/x y.bin')}`);
    expect(o).toMatchObject({
      key: 'tagged/x y.bin',
      size: body.length,
      etag: createHash('md5').update(body).digest('hex').toUpperCase(),
      crc64: (await crc64(body)).toString(),
      contentType: 'text/plain',
      userMeta: { owner: 'me' },
      tags: [
        { key: 'team', value: 'qa' },
        { key: 'env', value: 'dev' },
      ],
      objectType: 'Normal',
    });
    expect(Date.parse(o.lastModified)).not.toBeNaN();
    const res = await fetch(
      `${mock.endpoint}/_mock/ui/api/download?bucket=${BUCKET}&key=${encodeURIComponent('tagged/x y.bin')}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="x y.bin"');
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(body);
  });

  it('lists open multipart uploads with their parts, and finished upload IDs', async () => {
    const open = await oss.initMultipartUpload('mp/open.bin');
    await oss.uploadPart('mp/open.bin', open.uploadId, 1, Buffer.alloc(100 * 1024, 1), 0, 100 * 1024);
    await oss.uploadPart('mp/open.bin', open.uploadId, 2, Buffer.alloc(10, 2), 0, 10);
    const dropped = await oss.initMultipartUpload('mp/dropped.bin');
    await oss.abortMultipartUpload('mp/dropped.bin', dropped.uploadId);
    const { uploads } = await json<{ uploads: UploadRow[] }>(`/uploads?bucket=${BUCKET}`);
    expect(uploads).toEqual([
      expect.objectContaining({
        key: 'mp/open.bin',
        uploadId: open.uploadId,
        parts: [
          expect.objectContaining({ partNumber: 1, size: 100 * 1024, crc64: expect.stringMatching(/^\d+$/) }),
          expect.objectContaining({ partNumber: 2, size: 10 }),
        ],
      }),
    ]);
    const finished = await json<{ uploads: FinishedUploadRow[] }>('/finished-uploads');
    expect(finished.uploads[0]).toEqual({
      uploadId: dropped.uploadId,
      bucket: BUCKET,
      key: 'mp/dropped.bin',
      status: 'aborted',
    });
  });

  it("in a versioned bucket: the bucket's state, a key's versions and delete markers, any version's metadata and bytes", async () => {
    const vb = 'browse-versions';
    const client = new OssClient({
      endpoint: mock.endpoint,
      accessKeyId: mock.accessKeyId,
      accessKeySecret: mock.accessKeySecret,
    });
    await client.putBucket({ bucket: vb });
    await client.putBucketVersioning({ bucket: vb, status: 'Enabled' });
    const v1 = (await client.putObject({ bucket: vb, key: 'doc.txt', body: 'first' })).versionId;
    await client.deleteObject({ bucket: vb, key: 'doc.txt' });
    const v2 = (await client.putObject({ bucket: vb, key: 'doc.txt', body: 'second!' })).versionId;
    await client.putObject({ bucket: vb, key: 'doc.txt.bak', body: 'another key' });
    const { buckets } = await json<{ buckets: BucketRow[] }>('/buckets');
    expect(buckets.find((b) => b.name === vb)?.versioning).toBe('Enabled');
    expect(buckets.find((b) => b.name === BUCKET)?.versioning).toBeUndefined();

    const { versions, truncated } = await json<{ versions: VersionRow[]; truncated: boolean }>(
      `/versions?bucket=${vb}&key=doc.txt`,
    );
    expect(truncated).toBe(false);
    expect(
      versions.map((v) => [
        v.versionId === v2 ? 'v2' : v.versionId === v1 ? 'v1' : 'marker',
        v.isLatest,
        v.deleteMarker,
        v.size,
      ]),
    ).toEqual([
      ['v2', true, false, 7],
      ['marker', false, true, undefined],
      ['v1', false, false, 5],
    ]);
    expect((await json<ObjectRow>(`/object?bucket=${vb}&key=doc.txt&versionId=${v1}`)).size).toBe(5);
    expect((await json<ObjectRow>(`/object?bucket=${vb}&key=doc.txt`)).versionId).toBe(v2);
    const res = await fetch(`${mock.endpoint}/_mock/ui/api/download?bucket=${vb}&key=doc.txt&versionId=${v1}`);
    expect(await res.text()).toBe('first');
    expect(await json(`/object?bucket=${vb}&key=doc.txt&versionId=${versions[1]!.versionId}`, 405)).toMatchObject({
      code: 'MethodNotAllowed',
    });
    client.close();
  });

  it('answers a missing bucket or key with the OSS code, a missing parameter with its name', async () => {
    expect(await json('/objects?bucket=nope', 404)).toEqual({ error: expect.any(String), code: 'NoSuchBucket' });
    expect(await json(`/object?bucket=${BUCKET}&key=nope`, 404)).toMatchObject({ code: 'NoSuchKey' });
    expect(await json('/objects', 400)).toEqual({ error: 'bucket: missing or invalid', field: 'bucket' });
    expect(await json(`/objects?bucket=${BUCKET}&max=0`, 400)).toMatchObject({ field: 'max' });
  });
});
