// CopyObject on the wire (docs/protocol.md#copyobject).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestMock, xmlBody, type TestMock } from '../http/test-support/test-mock.js';

let t: TestMock;
let sourceEtag: string;
beforeAll(async () => {
  t = await startTestMock();
  await t.http.put('/copy-src').expect(200);
  await t.http.put('/copy-dst').expect(200);
  const put = await t.http
    .put('/copy-src/dir/a b.txt')
    .set('Content-Type', 'text/plain')
    .set('x-oss-meta-origin', 'source')
    .send('copy me')
    .expect(200);
  sourceEtag = put.headers.etag!;
});
afterAll(() => t.close());

describe('CopyObject', () => {
  it('copies across buckets with the ETag in the header and in the XML, keeping metadata (COPY)', async () => {
    const res = await t.http.put('/copy-dst/copied').set('x-oss-copy-source', '/copy-src/dir/a%20b.txt').expect(200);
    expect(res.headers.etag).toBe(sourceEtag);
    expect(res.headers['x-oss-hash-crc64ecma']).toMatch(/^\d+$/);
    const body = xmlBody(res.text);
    expect(body.ETag).toBe(sourceEtag);
    expect(body.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    const got = await t.http.get('/copy-dst/copied').expect(200, 'copy me');
    expect(got.headers).toMatchObject({ 'content-type': 'text/plain', 'x-oss-meta-origin': 'source' });
  });

  it('decodes + in the copy source as a space (Go url.QueryEscape, docs/protocol.md#multipart)', async () => {
    await t.http.put('/copy-dst/plus').set('x-oss-copy-source', '/copy-src/dir/a+b.txt').expect(200);
    await t.http.get('/copy-dst/plus').expect(200, 'copy me');
  });

  it('takes the request metadata with x-oss-metadata-directive: REPLACE', async () => {
    await t.http
      .put('/copy-dst/replaced')
      .set('x-oss-copy-source', '/copy-src/dir/a%20b.txt')
      .set('x-oss-metadata-directive', 'REPLACE')
      .set('Content-Type', 'application/x-new')
      .set('x-oss-meta-origin', 'request')
      .expect(200);
    const head = await t.http.head('/copy-dst/replaced').expect(200);
    expect(head.headers).toMatchObject({ 'content-type': 'application/x-new', 'x-oss-meta-origin': 'request' });
    const bad = await t.http
      .put('/copy-dst/x')
      .set('x-oss-copy-source', '/copy-src/dir/a%20b.txt')
      .set('x-oss-metadata-directive', 'MERGE');
    expect(errorOf(bad)).toMatchObject({ Code: 'InvalidArgument', ArgumentName: 'x-oss-metadata-directive' });
  });

  it('honours the x-oss-copy-source-if-* conditions (412 / 304)', async () => {
    const src = { 'x-oss-copy-source': '/copy-src/dir/a%20b.txt' };
    await t.http.put('/copy-dst/c1').set(src).set('x-oss-copy-source-if-match', sourceEtag).expect(200);
    const failed = await t.http.put('/copy-dst/c2').set(src).set('x-oss-copy-source-if-match', '"00"');
    expect(failed.status).toBe(412);
    expect(errorOf(failed)).toMatchObject({ Code: 'PreconditionFailed', Condition: 'If-Match' });
    await t.http.put('/copy-dst/c3').set(src).set('x-oss-copy-source-if-none-match', sourceEtag).expect(304);
    await t.http.get('/copy-dst/c2').expect(404);
    await t.http.get('/copy-dst/c3').expect(404);
  });

  it('refuses a source without a leading slash, a missing source and forbidden overwrites', async () => {
    const noSlash = await t.http.put('/copy-dst/x').set('x-oss-copy-source', 'copy-src/dir/a%20b.txt');
    expect(noSlash.status).toBe(400);
    expect(errorOf(noSlash)).toMatchObject({ Code: 'InvalidArgument', EC: '0042-00000301' });
    const missing = await t.http.put('/copy-dst/x').set('x-oss-copy-source', '/copy-src/nothing');
    expect(errorOf(missing)).toMatchObject({ Code: 'NoSuchKey' });
    const noBucket = await t.http.put('/copy-dst/x').set('x-oss-copy-source', '/copy-nothing/k');
    expect(errorOf(noBucket)).toMatchObject({ Code: 'NoSuchBucket' });
    const forbidden = await t.http
      .put('/copy-dst/copied')
      .set('x-oss-copy-source', '/copy-src/dir/a%20b.txt')
      .set('x-oss-forbid-overwrite', 'true');
    expect(errorOf(forbidden).Code).toBe('FileAlreadyExists');
  });

  it('copies an object onto itself with the request metadata', async () => {
    await t.http.put('/copy-src/self').set('x-oss-meta-v', '1').send('same').expect(200);
    await t.http.put('/copy-src/self').set('x-oss-copy-source', '/copy-src/self').set('x-oss-meta-v', '2').expect(200);
    const head = await t.http.head('/copy-src/self').expect(200);
    expect(head.headers['x-oss-meta-v']).toBe('2');
    await t.http.get('/copy-src/self').expect(200);
  });
});
