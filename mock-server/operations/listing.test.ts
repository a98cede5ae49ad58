// ListObjects v1 and ListObjectsV2 on the wire (docs/protocol.md#listing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestMock, xmlBody, xmlList, type TestMock } from '../http/test-support/test-mock.js';

let t: TestMock;
const KEYS = ['a b+c.txt', 'dir/a', 'dir/b', 'dir/sub/c', 'dir2/x', 'e', 'zh/中文'];
beforeAll(async () => {
  t = await startTestMock();
  await t.http.put('/list-bucket').expect(200);
  for (const key of KEYS)
    await t.http
      .put(`/list-bucket/${encodeURIComponent(key)}`)
      .send(key)
      .expect(200);
});
afterAll(() => t.close());

const list = async (query: string) => xmlBody((await t.http.get(`/list-bucket/?${query}`).expect(200)).text);
const keys = (body: Record<string, unknown>) => xmlList(body.Contents).map((c) => c.Key);
const prefixes = (body: Record<string, unknown>) => xmlList(body.CommonPrefixes).map((c) => c.Prefix);

describe('ListObjects v1', () => {
  it('lists in byte order with Owner, Type and StorageClass in every Contents', async () => {
    const body = await list('');
    expect(keys(body)).toEqual(KEYS);
    expect(body).toMatchObject({ Name: 'list-bucket', Prefix: '', Marker: '', MaxKeys: '100', IsTruncated: 'false' });
    expect(body.NextMarker).toBeUndefined();
    for (const c of xmlList(body.Contents)) {
      expect(c).toMatchObject({ Type: 'Normal', StorageClass: 'Standard', Owner: { ID: expect.any(String) } });
      expect(c.ETag).toMatch(/^"[0-9A-F]{32}"$/);
      expect(c.LastModified).toMatch(/\.000Z$/);
      expect(c.Size).toBe(String(Buffer.byteLength(c.Key as string)));
    }
  });

  it('rolls up CommonPrefixes under a delimiter, counting them toward max-keys, with NextMarker', async () => {
    const first = await list('delimiter=%2F&max-keys=3');
    expect(keys(first)).toEqual(['a b+c.txt']);
    expect(prefixes(first)).toEqual(['dir/', 'dir2/']);
    expect(first).toMatchObject({ IsTruncated: 'true', NextMarker: 'dir2/', Delimiter: '/' });
    const second = await list('delimiter=%2F&max-keys=3&marker=dir2%2F');
    expect(keys(second)).toEqual(['e']);
    expect(prefixes(second)).toEqual(['zh/']);
    expect(second.IsTruncated).toBe('false');
  });

  it('filters by prefix and treats empty parameters as unset (oss2 sends prefix=&marker=)', async () => {
    expect(keys(await list('prefix=dir%2F&delimiter=%2F'))).toEqual(['dir/a', 'dir/b']);
    expect(keys(await list('prefix=&marker=&delimiter=&max-keys=100&encoding-type='))).toEqual(KEYS);
  });

  it('URL-encodes keys, prefixes and markers with encoding-type=url: %20 for space, %2B for +', async () => {
    const body = await list('encoding-type=url&marker=a&max-keys=1');
    expect(body).toMatchObject({ EncodingType: 'url', Marker: 'a', NextMarker: 'a%20b%2Bc.txt' });
    expect(keys(body)).toEqual(['a%20b%2Bc.txt']);
    const zh = await list('encoding-type=url&prefix=zh%2F');
    expect(keys(zh)).toEqual(['zh/%E4%B8%AD%E6%96%87']);
  });

  it('refuses max-keys outside 1..1000 and unknown encoding types with InvalidArgument', async () => {
    for (const q of ['max-keys=0', 'max-keys=1001', 'max-keys=abc', 'encoding-type=base64']) {
      const res = await t.http.get(`/list-bucket/?${q}`);
      expect(res.status).toBe(400);
      expect(errorOf(res).Code).toBe('InvalidArgument');
    }
  });
});

describe('ListObjectsV2', () => {
  it('pages with URL-safe continuation tokens and KeyCount, without Owner unless fetch-owner=true', async () => {
    const seen: string[] = [];
    let token = '';
    for (let i = 0; i < 10; i++) {
      const body = await list(`list-type=2&max-keys=2&continuation-token=${token}`);
      expect(Number(body.KeyCount)).toBe(xmlList(body.Contents).length);
      expect(xmlList(body.Contents).every((c) => c.Owner === undefined)).toBe(true);
      seen.push(...(keys(body) as string[]));
      if (body.IsTruncated === 'false') {
        expect(body.NextContinuationToken).toBeUndefined();
        break;
      }
      token = body.NextContinuationToken as string;
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(seen).toEqual(KEYS);
    const withOwner = await list('list-type=2&fetch-owner=true&max-keys=1');
    expect(xmlList(withOwner.Contents)[0]!.Owner).toMatchObject({ ID: expect.any(String) });
  });

  it('starts after start-after, echoes it, and counts CommonPrefixes in KeyCount', async () => {
    // every entry sorts after start-after, so `dir/` (before `dir/a`) is not listed again
    const body = await list('list-type=2&start-after=dir%2Fa&delimiter=%2F');
    expect(body.StartAfter).toBe('dir/a');
    expect(keys(body)).toEqual(['e']);
    expect(prefixes(body)).toEqual(['dir2/', 'zh/']);
    expect(body.KeyCount).toBe('3');
  });

  it('refuses a malformed continuation token', async () => {
    expect(errorOf(await t.http.get('/list-bucket/?list-type=2&continuation-token=%3D%3D')).Code).toBe(
      'InvalidArgument',
    );
  });
});
