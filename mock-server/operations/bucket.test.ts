// Service and bucket operations on the wire (docs/protocol.md#bucket-operations).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestMock, xmlBody, xmlList, type TestMock } from '../http/test-support/test-mock.js';

let t: TestMock;
beforeAll(async () => {
  t = await startTestMock({ region: 'oss-cn-shanghai' });
});
afterAll(() => t.close());

describe('PutBucket', () => {
  it('answers 200 with Location /<bucket> and an empty body', async () => {
    const res = await t.http.put('/bkt-plain');
    expect(res.status).toBe(200);
    expect(res.headers.location).toBe('/bkt-plain');
    expect(res.headers['content-length']).toBe('0');
  });

  it('takes an optional CreateBucketConfiguration and x-oss-acl', async () => {
    const body =
      '<?xml version="1.0"?><CreateBucketConfiguration><StorageClass>IA</StorageClass>' +
      '<DataRedundancyType>ZRS</DataRedundancyType></CreateBucketConfiguration>';
    await t.http.put('/bkt-config').set('x-oss-acl', 'public-read').send(body).expect(200);
    const info = xmlBody((await t.http.get('/bkt-config/?bucketInfo').expect(200)).text).Bucket as Record<
      string,
      unknown
    >;
    expect(info).toMatchObject({
      Name: 'bkt-config',
      StorageClass: 'IA',
      DataRedundancyType: 'ZRS',
      Location: 'oss-cn-shanghai',
      ExtranetEndpoint: 'oss-cn-shanghai.aliyuncs.com',
      IntranetEndpoint: 'oss-cn-shanghai-internal.aliyuncs.com',
      AccessControlList: { Grant: 'public-read' },
      Owner: { DisplayName: expect.any(String), ID: expect.any(String) },
    });
    expect(info.CreationDate).toMatch(/\.000Z$/);
  });

  it('re-creating with the same settings succeeds; with other settings it is BucketAlreadyExists', async () => {
    await t.http.put('/bkt-plain').expect(200);
    const res = await t.http
      .put('/bkt-plain')
      .send('<CreateBucketConfiguration><StorageClass>Archive</StorageClass></CreateBucketConfiguration>');
    expect(res.status).toBe(409);
    expect(errorOf(res).Code).toBe('BucketAlreadyExists');
  });

  it.each([
    ['/ab', 'InvalidBucketName'],
    ['/-leading-dash', 'InvalidBucketName'],
    [`/${'a'.repeat(64)}`, 'InvalidBucketName'],
  ])('refuses %s with %s', async (path, code) => {
    const res = await t.http.put(path);
    expect(res.status).toBe(400);
    expect(errorOf(res).Code).toBe(code);
  });

  it('refuses malformed configuration XML and unknown storage classes', async () => {
    expect(errorOf(await t.http.put('/bkt-bad').send('<CreateBucketConfiguration>')).Code).toBe('MalformedXML');
    const res = await t.http
      .put('/bkt-bad')
      .send('<CreateBucketConfiguration><StorageClass>Gold</StorageClass></CreateBucketConfiguration>');
    expect(errorOf(res)).toMatchObject({ Code: 'InvalidArgument', ArgumentName: 'StorageClass' });
  });
});

describe('GetBucketLocation, GetBucketAcl', () => {
  it('answer the location and the ACL', async () => {
    expect(xmlBody((await t.http.get('/bkt-plain/?location').expect(200)).text)['#text']).toBe('oss-cn-shanghai');
    const acl = xmlBody((await t.http.get('/bkt-plain/?acl').expect(200)).text);
    expect(acl).toMatchObject({ AccessControlList: { Grant: 'private' }, Owner: { ID: expect.any(String) } });
  });

  it('answer NoSuchBucket with BucketName for a missing bucket', async () => {
    for (const q of ['?location', '?acl', '?bucketInfo']) {
      expect(errorOf(await t.http.get(`/bkt-missing/${q}`))).toMatchObject({
        Code: 'NoSuchBucket',
        BucketName: 'bkt-missing',
      });
    }
  });
});

describe('DeleteBucket', () => {
  it('answers 204, BucketNotEmpty while objects or unfinished uploads remain, NoSuchBucket after', async () => {
    await t.http.put('/bkt-del').expect(200);
    await t.http.put('/bkt-del/obj').send('x').expect(200);
    expect(errorOf(await t.http.delete('/bkt-del')).Code).toBe('BucketNotEmpty');
    await t.http.delete('/bkt-del/obj').expect(204);
    const init = await t.http.post('/bkt-del/mp?uploads').expect(200);
    const uploadId = xmlBody(init.text).UploadId as string;
    const blocked = await t.http.delete('/bkt-del');
    expect(blocked.status).toBe(409);
    expect(errorOf(blocked).Code).toBe('BucketNotEmpty');
    await t.http.delete(`/bkt-del/mp?uploadId=${uploadId}`).expect(204);
    await t.http.delete('/bkt-del').expect(204);
    expect(errorOf(await t.http.delete('/bkt-del')).Code).toBe('NoSuchBucket');
  });
});

describe('ListBuckets', () => {
  it('lists every bucket with the fields oss2 requires, and Owner', async () => {
    const body = xmlBody((await t.http.get('/').expect(200)).text);
    expect(body).toMatchObject({ Prefix: '', Marker: '', MaxKeys: '100', IsTruncated: 'false' });
    expect(body.Owner).toMatchObject({ ID: expect.any(String), DisplayName: expect.any(String) });
    const buckets = xmlList((body.Buckets as Record<string, unknown>).Bucket);
    const plain = buckets.find((b) => b.Name === 'bkt-plain');
    expect(plain).toMatchObject({
      Location: 'oss-cn-shanghai',
      Region: 'cn-shanghai',
      StorageClass: 'Standard',
      ExtranetEndpoint: 'oss-cn-shanghai.aliyuncs.com',
      IntranetEndpoint: 'oss-cn-shanghai-internal.aliyuncs.com',
    });
    expect(plain!.CreationDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  });

  it('pages with prefix, marker and max-keys, giving NextMarker only when truncated', async () => {
    const first = xmlBody((await t.http.get('/?prefix=bkt-&max-keys=1').expect(200)).text);
    expect(first).toMatchObject({ IsTruncated: 'true', NextMarker: 'bkt-config', MaxKeys: '1' });
    const second = xmlBody((await t.http.get('/?prefix=bkt-&max-keys=5&marker=bkt-config').expect(200)).text);
    expect(second.IsTruncated).toBe('false');
    expect(second.NextMarker).toBeUndefined();
    expect(xmlList((second.Buckets as Record<string, unknown>).Bucket).map((b) => b.Name)).toEqual(['bkt-plain']);
    expect(errorOf(await t.http.get('/?max-keys=1001')).Code).toBe('InvalidArgument');
  });
});
