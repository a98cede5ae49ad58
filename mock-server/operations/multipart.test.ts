// Multipart handlers on the wire (docs/protocol.md#multipart): the upload-ID state machine as clients see it.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64, crc64Combine } from '../../protocol/crc64.js';
import { multipartEtag } from '../../protocol/etag.js';
import { errorOf, startTestMock, xmlBody, xmlList, type TestMock } from '../http/test-support/test-mock.js';

const B = '/mp-bucket';
const PART = 102_400;
const body = (fill: string, size = PART) => Buffer.alloc(size, fill);
const md5Hex = (b: Buffer) => createHash('md5').update(b).digest('hex').toUpperCase();

let t: TestMock;
beforeAll(async () => {
  t = await startTestMock();
  await t.http.put(B).expect(200);
});
afterAll(() => t.close());

async function initiate(key: string, query = ''): Promise<string> {
  const res = await t.http.post(`${B}/${key}?uploads${query}`).set('Content-Type', 'text/x-mp').expect(200);
  return xmlBody(res.text).UploadId as string;
}

const putPart = (key: string, id: string, n: number | string, data: Buffer) =>
  t.http.put(`${B}/${key}?partNumber=${n}&uploadId=${id}`).set('Content-Type', 'application/octet-stream').send(data);

const completeXml = (parts: Array<[number, string]>) =>
  `<CompleteMultipartUpload>${parts
    .map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`)
    .join('')}</CompleteMultipartUpload>`;

describe('InitiateMultipartUpload', () => {
  it('answers Bucket, Key and a 32-hex UploadId; encoding-type=url encodes the key', async () => {
    const res = await t.http.post(`${B}/a b?uploads&encoding-type=url`).expect(200);
    const result = xmlBody(res.text);
    expect(result).toMatchObject({ Bucket: 'mp-bucket', Key: 'a%20b', EncodingType: 'url' });
    expect(result.UploadId).toMatch(/^[0-9A-F]{32}$/);
  });

  it('checks x-oss-forbid-overwrite against an existing object', async () => {
    await t.http.put(`${B}/exists`).send('x').expect(200);
    const res = await t.http.post(`${B}/exists?uploads`).set('x-oss-forbid-overwrite', 'true');
    expect(res.status).toBe(409);
    expect(errorOf(res).Code).toBe('FileAlreadyExists');
  });
});

describe('a full upload: parts, ListParts, Complete', () => {
  it('stores parts with ETag and CRC headers, lists them, and completes with the docs/protocol.md#etags ETag and combined CRC', async () => {
    const id = await initiate('big');
    const p1 = body('a');
    const p2 = body('b', 1000);
    const r1 = await putPart('big', id, 1, p1).expect(200);
    expect(r1.headers.etag).toBe(`"${md5Hex(p1)}"`);
    expect(r1.headers['x-oss-hash-crc64ecma']).toBe((await crc64(p1)).toString());
    // re-uploading a part number overwrites it
    await putPart('big', id, 2, body('z', 10)).expect(200);
    const r2 = await putPart('big', id, 2, p2).expect(200);

    const listed = xmlBody((await t.http.get(`${B}/big?uploadId=${id}`).expect(200)).text);
    expect(listed).toMatchObject({
      UploadId: id,
      PartNumberMarker: '0',
      NextPartNumberMarker: '2',
      IsTruncated: 'false',
    });
    expect(xmlList(listed.Part).map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
      ['1', String(PART), r1.headers.etag],
      ['2', '1000', r2.headers.etag],
    ]);
    expect(xmlList(listed.Part)[1]!.HashCrc64ecma).toBe((await crc64(p2)).toString());

    const done = await t.http
      .post(`${B}/big?uploadId=${id}`)
      .send(
        completeXml([
          [1, r1.headers.etag!],
          [2, r2.headers.etag!.replace(/"/g, '&#34;')],
        ]),
      )
      .expect(200);
    const etag = `"${multipartEtag([md5Hex(p1), md5Hex(p2)])}"`;
    expect(done.headers.etag).toBe(etag);
    const combined = crc64Combine(await crc64(p1), await crc64(p2), p2.length);
    expect(done.headers['x-oss-hash-crc64ecma']).toBe(combined.toString());
    expect(xmlBody(done.text)).toMatchObject({
      Bucket: 'mp-bucket',
      Key: 'big',
      ETag: etag,
      Location: `http://127.0.0.1:${t.mock.port}/mp-bucket/big`,
    });
    const got = await t.http.get(`${B}/big`).expect(200);
    expect(got.text).toBe(Buffer.concat([p1, p2]).toString('latin1'));
    expect(got.headers).toMatchObject({ 'x-oss-object-type': 'Multipart', 'content-type': 'text/x-mp', etag });
  });

  it('pages ListParts with max-parts and part-number-marker, NextPartNumberMarker always present', async () => {
    const id = await initiate('paged');
    for (const n of [1, 2, 3]) await putPart('paged', id, n, body('p', 10)).expect(200);
    const first = xmlBody((await t.http.get(`${B}/paged?uploadId=${id}&max-parts=2`).expect(200)).text);
    expect(first).toMatchObject({ MaxParts: '2', IsTruncated: 'true', NextPartNumberMarker: '2' });
    const rest = xmlBody((await t.http.get(`${B}/paged?uploadId=${id}&part-number-marker=2`).expect(200)).text);
    expect(rest).toMatchObject({ PartNumberMarker: '2', IsTruncated: 'false', NextPartNumberMarker: '3' });
    expect(xmlList(rest.Part).map((p) => p.PartNumber)).toEqual(['3']);
    const empty = xmlBody((await t.http.get(`${B}/paged?uploadId=${id}&part-number-marker=3`).expect(200)).text);
    expect(empty).toMatchObject({ NextPartNumberMarker: '3', IsTruncated: 'false' });
    expect(empty.Part).toBeUndefined();
  });

  it('completes every stored part with x-oss-complete-all: yes, and refuses it together with a body', async () => {
    const id = await initiate('all');
    await putPart('all', id, 2, body('x', 5)).expect(200);
    const both = await t.http
      .post(`${B}/all?uploadId=${id}`)
      .set('x-oss-complete-all', 'yes')
      .send(completeXml([[2, '"x"']]));
    expect(errorOf(both)).toMatchObject({ Code: 'InvalidArgument', EC: '0042-00000216' });
    const done = await t.http.post(`${B}/all?uploadId=${id}`).set('x-oss-complete-all', 'yes').expect(200);
    expect(done.headers.etag).toMatch(/-1"$/);
  });
});

describe('UploadPart errors', () => {
  it.each(['0', '10001', 'abc', ''])('partNumber=%s is InvalidArgument naming PartNumber', async (n) => {
    const id = await initiate('pn');
    const res = await putPart('pn', id, n, body('x', 1));
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ Code: 'InvalidArgument', ArgumentName: 'PartNumber', ArgumentValue: n });
  });

  it('an unknown upload ID is NoSuchUpload', async () => {
    const res = await putPart('pn', '0'.repeat(32), 1, body('x', 1));
    expect(res.status).toBe(404);
    expect(errorOf(res).Code).toBe('NoSuchUpload');
  });

  it('a Content-MD5 mismatch is InvalidDigest and stores nothing', async () => {
    const id = await initiate('md5');
    const res = await putPart('md5', id, 1, body('x', 10)).set('Content-MD5', '1B2M2Y8AsgTpgAmY7PhCfg==');
    expect(errorOf(res).Code).toBe('InvalidDigest');
    const listed = xmlBody((await t.http.get(`${B}/md5?uploadId=${id}`).expect(200)).text);
    expect(listed.Part).toBeUndefined();
  });
});

describe('CompleteMultipartUpload errors (docs/protocol.md#multipart)', () => {
  let id: string;
  let small: string;
  let big: string;
  beforeAll(async () => {
    id = await initiate('bad');
    small = (await putPart('bad', id, 1, body('s', 10)).expect(200)).headers.etag!;
    big = (await putPart('bad', id, 2, body('b')).expect(200)).headers.etag!;
  });

  it.each([
    ['no XML', '', 'MalformedXML'],
    ['broken XML', '<CompleteMultipartUpload><Part>', 'MalformedXML'],
    ['no Part', '<CompleteMultipartUpload></CompleteMultipartUpload>', 'MalformedXML'],
  ])('%s is %s', async (_name, xml, code) => {
    const res = await t.http.post(`${B}/bad?uploadId=${id}`).send(xml);
    expect(res.status).toBe(400);
    expect(errorOf(res).Code).toBe(code);
  });

  it('an unknown part or ETag mismatch is InvalidPart; descending numbers InvalidPartOrder', async () => {
    const wrongEtag = await t.http.post(`${B}/bad?uploadId=${id}`).send(completeXml([[2, '"00"']]));
    expect(errorOf(wrongEtag).Code).toBe('InvalidPart');
    const unknown = await t.http.post(`${B}/bad?uploadId=${id}`).send(completeXml([[7, big]]));
    expect(errorOf(unknown).Code).toBe('InvalidPart');
    const order = await t.http.post(`${B}/bad?uploadId=${id}`).send(
      completeXml([
        [2, big],
        [1, small],
      ]),
    );
    expect(errorOf(order)).toMatchObject({ Code: 'InvalidPartOrder', EC: '0042-00000209' });
  });

  it('a non-last part under 100 KB is EntityTooSmall, and the upload stays usable', async () => {
    const res = await t.http.post(`${B}/bad?uploadId=${id}`).send(
      completeXml([
        [1, small],
        [2, big],
      ]),
    );
    expect(errorOf(res)).toMatchObject({ Code: 'EntityTooSmall', EC: '0042-00000213' });
    await t.http.get(`${B}/bad?uploadId=${id}`).expect(200);
  });
});

describe('Abort and the dead upload ID (docs/protocol.md#multipart, docs/protocol.md#error-catalogue)', () => {
  it('answers 204, then NoSuchUpload with the per-operation EC for every use of the ID', async () => {
    await t.http.put(`${B}/copy-source`).send(body('c', 10)).expect(200);
    const id = await initiate('aborted');
    await putPart('aborted', id, 1, body('x', 10)).expect(200);
    await t.http.delete(`${B}/aborted?uploadId=${id}`).expect(204);
    const cases: Array<[string, Promise<{ status: number; text: string; headers: Record<string, string> }>, string]> = [
      ['UploadPart', putPart('aborted', id, 2, body('x', 10)), '0042-00000104'],
      [
        'UploadPartCopy',
        t.http.put(`${B}/aborted?partNumber=2&uploadId=${id}`).set('x-oss-copy-source', '/mp-bucket/copy-source'),
        '0042-00000311',
      ],
      ['ListParts', t.http.get(`${B}/aborted?uploadId=${id}`), '0042-00000002'],
      ['Complete', t.http.post(`${B}/aborted?uploadId=${id}`).send(completeXml([[1, '"x"']])), '0042-00000002'],
      ['second Abort', t.http.delete(`${B}/aborted?uploadId=${id}`), '0042-00000002'],
    ];
    for (const [name, pending, ec] of cases) {
      const res = await pending;
      expect([name, res.status, errorOf(res).Code, errorOf(res).EC]).toEqual([name, 404, 'NoSuchUpload', ec]);
    }
  });

  it('a completed upload ID is dead too', async () => {
    const id = await initiate('completed');
    const etag = (await putPart('completed', id, 1, body('x', 10)).expect(200)).headers.etag!;
    await t.http
      .post(`${B}/completed?uploadId=${id}`)
      .send(completeXml([[1, etag]]))
      .expect(200);
    expect(errorOf(await putPart('completed', id, 1, body('x', 10))).Code).toBe('NoSuchUpload');
  });
});

describe('UploadPartCopy (docs/protocol.md#multipart)', () => {
  it('copies a range of a source into a part: CopyPartResult, ETag header, Content-Range', async () => {
    const source = Buffer.from('0123456789');
    await t.http.put(`${B}/src`).send(source).expect(200);
    const id = await initiate('pc');
    const res = await t.http
      .put(`${B}/pc?partNumber=1&uploadId=${id}`)
      .set('x-oss-copy-source', '/mp-bucket/src')
      .set('x-oss-copy-source-range', 'bytes=2-5')
      .expect(200);
    const expected = `"${md5Hex(source.subarray(2, 6))}"`;
    expect(res.headers.etag).toBe(expected);
    expect(res.headers['content-range']).toBe('bytes 2-5/10');
    expect(xmlBody(res.text)).toMatchObject({ ETag: expected, LastModified: expect.stringMatching(/\.000Z$/) });
    const whole = await t.http
      .put(`${B}/pc?partNumber=2&uploadId=${id}`)
      .set('x-oss-copy-source', '/mp-bucket/src')
      .set('x-oss-copy-source-range', 'bytes=5-100')
      .expect(200);
    expect(whole.headers.etag).toBe(`"${md5Hex(source)}"`);
    const failed = await t.http
      .put(`${B}/pc?partNumber=3&uploadId=${id}`)
      .set('x-oss-copy-source', '/mp-bucket/src')
      .set('x-oss-copy-source-if-match', '"nope"');
    expect(errorOf(failed)).toMatchObject({ Code: 'PreconditionFailed', Condition: 'If-Match' });
    const stale = await t.http
      .put(`${B}/pc?partNumber=3&uploadId=${id}`)
      .set('x-oss-copy-source', '/mp-bucket/src')
      .set('x-oss-copy-source-if-unmodified-since', 'Mon, 01 Jan 2001 00:00:00 GMT');
    expect(errorOf(stale)).toMatchObject({ Code: 'PreconditionFailed', Condition: 'If-Unmodified-Since' });
  });
});

describe('ListMultipartUploads (docs/protocol.md#multipart)', () => {
  it('lists open uploads by key then ID, with prefix, delimiter, markers and Next* always present', async () => {
    await t.http.put('/mpu-list').expect(200);
    const ids: Record<string, string> = {};
    for (const key of ['x/1', 'x/2', 'y', 'y']) {
      const res = await t.http.post(`/mpu-list/${key}?uploads`).expect(200);
      ids[`${key}#${Object.keys(ids).length}`] = xmlBody(res.text).UploadId as string;
    }
    const all = xmlBody((await t.http.get('/mpu-list/?uploads').expect(200)).text);
    expect(all).toMatchObject({ IsTruncated: 'false', MaxUploads: '1000', KeyMarker: '', UploadIdMarker: '' });
    const uploads = xmlList(all.Upload);
    expect(uploads.map((u) => u.Key)).toEqual(['x/1', 'x/2', 'y', 'y']);
    const yIds = uploads.slice(2).map((u) => u.UploadId as string);
    expect([...yIds].sort()).toEqual(yIds);
    expect(all.NextKeyMarker).toBe('y');
    expect(all.NextUploadIdMarker).toBe(yIds[1]);

    const rolled = xmlBody((await t.http.get('/mpu-list/?uploads&delimiter=%2F&max-uploads=2').expect(200)).text);
    expect(xmlList(rolled.CommonPrefixes).map((c) => c.Prefix)).toEqual(['x/']);
    expect(xmlList(rolled.Upload).map((u) => u.Key)).toEqual(['y']);
    expect(rolled).toMatchObject({ IsTruncated: 'true', NextKeyMarker: 'y', NextUploadIdMarker: yIds[0] });

    const next = xmlBody(
      (await t.http.get(`/mpu-list/?uploads&key-marker=y&upload-id-marker=${yIds[0]}`).expect(200)).text,
    );
    expect(xmlList(next.Upload).map((u) => u.UploadId)).toEqual([yIds[1]]);
    const prefixed = xmlBody((await t.http.get('/mpu-list/?uploads&prefix=x%2F&encoding-type=url').expect(200)).text);
    expect(xmlList(prefixed.Upload).map((u) => u.Key)).toEqual(['x/1', 'x/2']);
    expect(prefixed.EncodingType).toBe('url');
  });
});
