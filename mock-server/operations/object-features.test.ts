// Object tagging, object ACL, symlinks and server-side encryption headers on the wire: statuses, headers, XML and
// error envelopes with their ECs (docs/protocol.md#object-tagging, #object-acl, #symlinks, #server-side-encryption).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestMock, xmlBody, xmlList, type TestMock } from '../http/test-support/test-mock.js';

let t: TestMock;
const B = '/features';
beforeAll(async () => {
  t = await startTestMock();
  await t.http.put(B).expect(200);
});
afterAll(() => t.close());

function taggingXml(tags: Array<[string, string]>): string {
  const body = tags.map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`).join('');
  return `<Tagging><TagSet>${body}</TagSet></Tagging>`;
}

async function tagsOf(key: string): Promise<Array<[string, string]>> {
  const res = await t.http.get(`${B}/${key}?tagging`).expect(200);
  expect(res.headers['content-type']).toBe('application/xml');
  const tagSet = xmlBody(res.text).TagSet as Record<string, unknown> | string;
  if (tagSet === '') return [];
  return xmlList((tagSet as Record<string, unknown>).Tag).map((tag) => [String(tag.Key), String(tag.Value ?? '')]);
}

async function expectError(
  res: { status: number; text: string; headers: Record<string, string> },
  status: number,
  code: string,
  ec?: string,
): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  const err = errorOf(res);
  expect(err.Code).toBe(code);
  if (ec !== undefined) {
    expect(err.EC).toBe(ec);
    expect(res.headers['x-oss-ec']).toBe(ec);
  }
  return err;
}

describe('object tagging', () => {
  it('x-oss-tagging on PutObject (URL-encoded, a pair without = has an empty value); count on GET and HEAD', async () => {
    await t.http.put(`${B}/tagged`).set('x-oss-tagging', 'a=1&b%20c=d%2Fe&%E4%B8%AD%E6%96%87').send('x').expect(200);
    expect(await tagsOf('tagged')).toEqual([
      ['a', '1'],
      ['b c', 'd/e'],
      ['中文', ''],
    ]);
    expect((await t.http.head(`${B}/tagged`).expect(200)).headers['x-oss-tagging-count']).toBe('3');
    expect((await t.http.get(`${B}/tagged`).expect(200)).headers['x-oss-tagging-count']).toBe('3');
  });

  it('PutObjectTagging replaces the set (200, Last-Modified unchanged), DeleteObjectTagging is 204', async () => {
    await t.http.put(`${B}/retag`).set('x-oss-tagging', 'old=1').send('x').expect(200);
    const before = (await t.http.head(`${B}/retag`)).headers['last-modified'];
    const put = await t.http
      .put(`${B}/retag?tagging`)
      .send(
        taggingXml([
          ['k1', 'v1'],
          ['+-=._:/ ', ''],
        ]),
      )
      .expect(200);
    expect(put.headers['content-length']).toBe('0');
    expect(await tagsOf('retag')).toEqual([
      ['k1', 'v1'],
      ['+-=._:/ ', ''],
    ]);
    expect((await t.http.head(`${B}/retag`)).headers['last-modified']).toBe(before);
    await t.http.delete(`${B}/retag?tagging`).expect(204);
    expect(await tagsOf('retag')).toEqual([]);
    expect((await t.http.head(`${B}/retag`)).headers['x-oss-tagging-count']).toBeUndefined();
    // an object that never had tags answers an empty TagSet
    await t.http.put(`${B}/plain`).send('x').expect(200);
    expect((await t.http.get(`${B}/plain?tagging`).expect(200)).text).toContain('<TagSet></TagSet>');
  });

  it('refuses what OSS refuses, each with its EC, and changes nothing', async () => {
    await t.http.put(`${B}/limits`).set('x-oss-tagging', 'keep=1').send('x').expect(200);
    const eleven = Array.from({ length: 11 }, (_, i): [string, string] => [`k${i}`, 'v']);
    const cases: Array<[string, string]> = [
      [taggingXml(eleven), '0010-00000217'],
      [taggingXml([['a'.repeat(129), 'v']]), '0010-00000209'],
      [taggingXml([['k', 'v'.repeat(257)]]), '0010-00000214'],
      [taggingXml([['%@abc', 'v']]), '0010-00000217'],
      [taggingXml([['k', '%abc']]), '0010-00000217'],
      [taggingXml([['', 'v']]), '0010-00000217'],
      [
        taggingXml([
          ['dup', '1'],
          ['dup', '2'],
        ]),
        '0010-00000210',
      ],
    ];
    for (const [body, ec] of cases) {
      await expectError(await t.http.put(`${B}/limits?tagging`).send(body), 400, 'InvalidTag', ec);
    }
    // the longest key and value are accepted
    await t.http
      .put(`${B}/limits?tagging`)
      .send(taggingXml([['a'.repeat(128), 'b'.repeat(256)]]))
      .expect(200);
    const put = (body: string) => t.http.put(`${B}/limits?tagging`).send(body);
    await expectError(await put('<Tagging><Tag/>'), 400, 'MalformedXML', '0010-00000101');
    await expectError(await put('<Tagging><Tag/></Tagging>'), 400, 'MalformedXML', '0010-00000101');
    await expectError(await put('<XMLTag><TagSet/></XMLTag>'), 400, 'MalformedXML', '0010-00000102');
    await expectError(await t.http.put(`${B}/missing?tagging`).send(taggingXml([['a', 'b']])), 404, 'NoSuchKey');
    await expectError(await t.http.get(`${B}/missing?tagging`), 404, 'NoSuchKey');
  });

  it('a bad x-oss-tagging refuses the write before its body: the old version stays', async () => {
    await t.http.put(`${B}/hdr`).send('old').expect(200);
    await expectError(
      await t.http.put(`${B}/hdr`).set('x-oss-tagging', 'aa=bb=cc').send('new'),
      400,
      'InvalidTag',
      '0010-00000219',
    );
    await expectError(await t.http.put(`${B}/hdr`).set('x-oss-tagging', 'a=%ZZ').send('new'), 400, 'InvalidTag');
    // a key repeated in the header is 0010-00000217 (a repeated key in a PutObjectTagging body has its own EC)
    const repeated = await t.http.put(`${B}/hdr`).set('x-oss-tagging', 'a=1&a=2').send('new');
    await expectError(repeated, 400, 'InvalidTag', '0010-00000217');
    expect((await t.http.get(`${B}/hdr`).expect(200)).text).toBe('old');
  });

  it('CopyObject: x-oss-tagging-directive Copy (default) keeps the source tags, Replace takes x-oss-tagging', async () => {
    await t.http.put(`${B}/src`).set('x-oss-tagging', 's=1').send('x').expect(200);
    await t.http.put(`${B}/copy-default`).set('x-oss-copy-source', `${B}/src`).expect(200);
    expect(await tagsOf('copy-default')).toEqual([['s', '1']]);
    await t.http
      .put(`${B}/copy-replace`)
      .set('x-oss-copy-source', `${B}/src`)
      .set('x-oss-tagging-directive', 'Replace')
      .set('x-oss-tagging', 'r=2')
      .expect(200);
    expect(await tagsOf('copy-replace')).toEqual([['r', '2']]);
    await t.http
      .put(`${B}/copy-none`)
      .set('x-oss-copy-source', `${B}/src`)
      .set('x-oss-tagging-directive', 'REPLACE')
      .expect(200);
    expect(await tagsOf('copy-none')).toEqual([]);
    const bad = await t.http
      .put(`${B}/copy-bad`)
      .set('x-oss-copy-source', `${B}/src`)
      .set('x-oss-tagging-directive', 'MERGE');
    expect((await expectError(bad, 400, 'InvalidArgument')).ArgumentName).toBe('x-oss-tagging-directive');
  });

  it('AppendObject takes x-oss-tagging when it creates the object and ignores it afterwards, even malformed', async () => {
    await t.http.post(`${B}/appended?append&position=0`).set('x-oss-tagging', 'first=1').send('ab').expect(200);
    const fifteen = Array.from({ length: 15 }, (_, i) => `k${i}=v`).join('&');
    await t.http.post(`${B}/appended?append&position=2`).set('x-oss-tagging', fifteen).send('cd').expect(200);
    expect(await tagsOf('appended')).toEqual([['first', '1']]);
    // ...but the creating append validates it
    const res = await t.http.post(`${B}/appended2?append&position=0`).set('x-oss-tagging', fifteen).send('ab');
    await expectError(res, 400, 'InvalidTag', '0010-00000217');
  });

  it('InitiateMultipartUpload keeps x-oss-tagging for the completed object', async () => {
    const init = await t.http.post(`${B}/mpu?uploads`).set('x-oss-tagging', 'm=u').expect(200);
    const uploadId = String(xmlBody(init.text).UploadId);
    const part = await t.http.put(`${B}/mpu?partNumber=1&uploadId=${uploadId}`).send('p').expect(200);
    const complete = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.etag}</ETag></Part></CompleteMultipartUpload>`;
    await t.http.post(`${B}/mpu?uploadId=${uploadId}`).send(complete).expect(200);
    expect(await tagsOf('mpu')).toEqual([['m', 'u']]);
  });
});

describe('object ACL', () => {
  it('x-oss-object-acl on a write, PutObjectAcl and GetObjectAcl (default when the object has none)', async () => {
    await t.http.put(`${B}/acl`).set('x-oss-object-acl', 'public-read').send('x').expect(200);
    const get = await t.http.get(`${B}/acl?acl`).expect(200);
    const policy = xmlBody(get.text);
    expect(policy.AccessControlList).toEqual({ Grant: 'public-read' });
    expect(policy.Owner).toMatchObject({ ID: expect.any(String), DisplayName: expect.any(String) });
    await t.http.put(`${B}/acl?acl`).set('x-oss-object-acl', 'default').expect(200);
    expect(xmlBody((await t.http.get(`${B}/acl?acl`)).text).AccessControlList).toEqual({ Grant: 'default' });
    await t.http.put(`${B}/acl?acl`).set('x-oss-object-acl', 'private').expect(200);
    expect(xmlBody((await t.http.get(`${B}/acl?acl`)).text).AccessControlList).toEqual({ Grant: 'private' });
  });

  it('refuses a missing or unknown ACL with InvalidArgument, a missing object with NoSuchKey', async () => {
    await t.http.put(`${B}/acl2`).send('x').expect(200);
    await expectError(await t.http.put(`${B}/acl2?acl`), 400, 'InvalidArgument');
    const bad = await t.http.put(`${B}/acl2?acl`).set('x-oss-object-acl', 'everyone');
    expect((await expectError(bad, 400, 'InvalidArgument')).ArgumentName).toBe('x-oss-object-acl');
    await expectError(await t.http.put(`${B}/acl3`).set('x-oss-object-acl', 'nope').send('x'), 400, 'InvalidArgument');
    await expectError(await t.http.get(`${B}/missing?acl`), 404, 'NoSuchKey');
  });

  it('PutBucketAcl changes what GetBucketAcl and GetBucketInfo report', async () => {
    await t.http.put('/acl-bucket').expect(200);
    await t.http.put('/acl-bucket?acl').set('x-oss-acl', 'public-read-write').expect(200);
    expect(xmlBody((await t.http.get('/acl-bucket?acl')).text).AccessControlList).toEqual({
      Grant: 'public-read-write',
    });
    expect(xmlBody((await t.http.get('/acl-bucket?bucketInfo')).text).Bucket).toMatchObject({
      AccessControlList: { Grant: 'public-read-write' },
    });
    await expectError(await t.http.put('/acl-bucket?acl').set('x-oss-acl', 'default'), 400, 'InvalidArgument');
    await expectError(await t.http.put('/no-such-bucket?acl').set('x-oss-acl', 'private'), 404, 'NoSuchBucket');
  });
});

describe('symlinks', () => {
  beforeAll(async () => {
    await t.http.put(`${B}/中文 target`).set('Content-Type', 'text/plain').send('target body').expect(200);
  });

  it('PutSymlink answers an ETag; GetSymlink answers the URL-encoded target and the link own metadata', async () => {
    const put = await t.http
      .put(`${B}/link?symlink`)
      .set('x-oss-symlink-target', encodeURIComponent('中文 target'))
      .set('x-oss-meta-who', 'link')
      .set('Content-Type', 'text/csv')
      .expect(200);
    expect(put.headers.etag).toMatch(/^"[0-9A-F]{32}"$/);
    const get = await t.http.get(`${B}/link?symlink`).expect(200);
    expect(get.headers['x-oss-symlink-target']).toBe('%E4%B8%AD%E6%96%87%20target');
    expect(get.headers).toMatchObject({
      'x-oss-meta-who': 'link',
      'x-oss-object-type': 'Symlink',
      'content-length': '0',
    });
  });

  it('GET and HEAD read through: the target bytes, length and ETag, the link type, type header and metadata', async () => {
    const target = await t.http.head(`${B}/中文 target`).expect(200);
    const get = await t.http.get(`${B}/link`).expect(200);
    expect(get.text).toBe('target body');
    expect(get.headers).toMatchObject({
      etag: target.headers.etag,
      'content-length': '11',
      'x-oss-object-type': 'Symlink',
      'x-oss-meta-who': 'link',
      'content-type': 'text/csv',
      'content-md5': target.headers['content-md5'],
    });
    const head = await t.http.head(`${B}/link`).expect(200);
    expect(head.headers).toMatchObject({ etag: target.headers.etag, 'content-length': '11' });
    const range = await t.http.get(`${B}/link`).set('Range', 'bytes=0-5').expect(206);
    expect(range.text).toBe('target');
    expect(range.headers['content-range']).toBe('bytes 0-5/11');
    // conditions see the target's ETag
    await t.http.get(`${B}/link`).set('If-None-Match', target.headers.etag!).expect(304);
  });

  it('a missing target is 404 SymlinkTargetNotExist, a link to a link 400 InvalidTargetType, GetSymlink of a file NotSymlink', async () => {
    await t.http.put(`${B}/dangling?symlink`).set('x-oss-symlink-target', 'nothing-here').expect(200);
    await expectError(await t.http.get(`${B}/dangling`), 404, 'SymlinkTargetNotExist', '0026-00000012');
    await expectError(await t.http.head(`${B}/dangling`), 404, 'SymlinkTargetNotExist', '0026-00000012');
    await t.http.put(`${B}/link2?symlink`).set('x-oss-symlink-target', 'link').expect(200);
    await expectError(await t.http.get(`${B}/link2`), 400, 'InvalidTargetType');
    await expectError(await t.http.get(`${B}/中文 target?symlink`), 400, 'NotSymlink', '0043-00000101');
    await expectError(await t.http.get(`${B}/missing?symlink`), 404, 'NoSuchKey');
    await expectError(await t.http.put(`${B}/no-target?symlink`), 400, 'MissingArgument', '0043-00000001');
    await t.http
      .put(`${B}/fbo?symlink`)
      .set('x-oss-symlink-target', 'x')
      .set('x-oss-forbid-overwrite', 'true')
      .expect(200);
    await expectError(
      await t.http.put(`${B}/fbo?symlink`).set('x-oss-symlink-target', 'y').set('x-oss-forbid-overwrite', 'true'),
      409,
      'FileAlreadyExists',
    );
  });

  it('CopyObject of a link copies the link; DeleteObject of a link deletes only the link; listings show Symlink', async () => {
    await t.http.put(`${B}/link-copy`).set('x-oss-copy-source', `${B}/link`).expect(200);
    expect((await t.http.get(`${B}/link-copy?symlink`).expect(200)).headers['x-oss-symlink-target']).toBe(
      '%E4%B8%AD%E6%96%87%20target',
    );
    expect((await t.http.get(`${B}/link-copy`).expect(200)).text).toBe('target body');
    await t.http.delete(`${B}/link-copy`).expect(204);
    await t.http.head(`${B}/中文 target`).expect(200);
    const list = xmlList(xmlBody((await t.http.get(`${B}/?prefix=link`).expect(200)).text).Contents);
    expect(list.find((c) => c.Key === 'link')).toMatchObject({ Type: 'Symlink' });
  });
});

describe('server-side encryption headers (recorded and echoed, nothing encrypted)', () => {
  it('AES256 on PutObject is answered and replayed on GET and HEAD', async () => {
    const put = await t.http.put(`${B}/sse`).set('x-oss-server-side-encryption', 'AES256').send('x').expect(200);
    expect(put.headers['x-oss-server-side-encryption']).toBe('AES256');
    for (const res of [await t.http.head(`${B}/sse`), await t.http.get(`${B}/sse`)]) {
      expect(res.headers['x-oss-server-side-encryption']).toBe('AES256');
      expect(res.headers['x-oss-server-side-encryption-key-id']).toBeUndefined();
    }
  });

  it('KMS with a key id and SM4 data encryption; Initiate and Complete answer them too', async () => {
    const init = await t.http
      .post(`${B}/sse-mpu?uploads`)
      .set('x-oss-server-side-encryption', 'KMS')
      .set('x-oss-server-side-encryption-key-id', 'key-1')
      .set('x-oss-server-side-data-encryption', 'SM4')
      .expect(200);
    expect(init.headers).toMatchObject({
      'x-oss-server-side-encryption': 'KMS',
      'x-oss-server-side-encryption-key-id': 'key-1',
      'x-oss-server-side-data-encryption': 'SM4',
    });
    const uploadId = String(xmlBody(init.text).UploadId);
    const part = await t.http.put(`${B}/sse-mpu?partNumber=1&uploadId=${uploadId}`).send('p').expect(200);
    const body = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.etag}</ETag></Part></CompleteMultipartUpload>`;
    const complete = await t.http.post(`${B}/sse-mpu?uploadId=${uploadId}`).send(body).expect(200);
    expect(complete.headers['x-oss-server-side-encryption-key-id']).toBe('key-1');
    expect((await t.http.head(`${B}/sse-mpu`)).headers['x-oss-server-side-data-encryption']).toBe('SM4');
  });

  it('CopyObject does not copy the source SSE; the request SSE applies', async () => {
    await t.http.put(`${B}/sse-copy`).set('x-oss-copy-source', `${B}/sse`).expect(200);
    expect((await t.http.head(`${B}/sse-copy`)).headers['x-oss-server-side-encryption']).toBeUndefined();
    const copy = await t.http
      .put(`${B}/sse-copy2`)
      .set('x-oss-copy-source', `${B}/sse`)
      .set('x-oss-server-side-encryption', 'SM4')
      .expect(200);
    expect(copy.headers['x-oss-server-side-encryption']).toBe('SM4');
  });

  it('refuses an unknown algorithm and a key id or data encryption without KMS', async () => {
    await expectError(
      await t.http.put(`${B}/sse-bad`).set('x-oss-server-side-encryption', 'DES').send('x'),
      400,
      'InvalidEncryptionAlgorithmError',
    );
    const keyId = await t.http
      .put(`${B}/sse-bad`)
      .set('x-oss-server-side-encryption', 'AES256')
      .set('x-oss-server-side-encryption-key-id', 'k')
      .send('x');
    expect((await expectError(keyId, 400, 'InvalidArgument')).ArgumentName).toBe('x-oss-server-side-encryption-key-id');
    const data = await t.http.put(`${B}/sse-bad`).set('x-oss-server-side-data-encryption', 'SM4').send('x');
    await expectError(data, 400, 'InvalidArgument');
    await t.http.head(`${B}/sse-bad`).expect(404);
  });
});
