// PutObject, GetObject, HeadObject, GetObjectMeta, DeleteObject on the wire (docs/protocol.md#common-headers,
// docs/protocol.md#putobject, docs/protocol.md#object-operations).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../protocol/crc64.js';
import { errorOf, rawExchange, startTestMock, type TestMock } from '../http/test-support/test-mock.js';

let t: TestMock;
const B = '/obj-bucket';
beforeAll(async () => {
  t = await startTestMock();
  await t.http.put(B).expect(200);
});
afterAll(() => t.close());

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest();

describe('PutObject (docs/protocol.md#putobject)', () => {
  it('answers ETag (quoted uppercase MD5), x-oss-hash-crc64ecma and Content-MD5', async () => {
    const res = await t.http.put(`${B}/hello.txt`).send('hello world').expect(200);
    expect(res.headers.etag).toBe(`"${md5('hello world').toString('hex').toUpperCase()}"`);
    expect(res.headers['x-oss-hash-crc64ecma']).toBe('5981764153023615706');
    expect(res.headers['content-md5']).toBe(md5('hello world').toString('base64'));
  });

  it('stores an empty object with the documented empty-body values', async () => {
    const res = await t.http.put(`${B}/empty`).set('Content-Length', '0').expect(200);
    expect(res.headers.etag).toBe('"D41D8CD98F00B204E9800998ECF8427E"');
    expect(res.headers['x-oss-hash-crc64ecma']).toBe('0');
    expect(res.headers['content-md5']).toBe('1B2M2Y8AsgTpgAmY7PhCfg==');
  });

  it('keeps Content-Type, x-oss-meta-* (lowercased) and the other stored headers', async () => {
    await t.http
      .put(`${B}/meta.txt`)
      .set('Content-Type', 'text/plain')
      .set('X-Oss-Meta-Author', 'Alice')
      .set('Cache-Control', 'no-cache')
      .set('Content-Disposition', 'attachment')
      .set('x-oss-storage-class', 'ia')
      .set('x-oss-tagging', 'a=1&b=2')
      .send('m')
      .expect(200);
    const res = await t.http.head(`${B}/meta.txt`).expect(200);
    expect(res.headers).toMatchObject({
      'content-type': 'text/plain',
      'x-oss-meta-author': 'Alice',
      'cache-control': 'no-cache',
      'content-disposition': 'attachment',
      'x-oss-storage-class': 'IA',
      'x-oss-object-type': 'Normal',
      'x-oss-tagging-count': '2',
      'content-length': '1',
    });
  });

  it('verifies Content-MD5: a mismatch is InvalidDigest and the old version stays', async () => {
    await t.http.put(`${B}/digest`).send('old').expect(200);
    const res = await t.http.put(`${B}/digest`).set('Content-MD5', md5('other').toString('base64')).send('new');
    expect(res.status).toBe(400);
    expect(errorOf(res).Code).toBe('InvalidDigest');
    await t.http.get(`${B}/digest`).expect(200, 'old');
    await t.http.put(`${B}/digest`).set('Content-MD5', md5('new').toString('base64')).send('new').expect(200);
  });

  it('verifies a client x-oss-hash-crc64ecma: a mismatch is InvalidCRC64', async () => {
    const res = await t.http.put(`${B}/crc`).set('x-oss-hash-crc64ecma', '1').send('abc');
    expect(errorOf(res).Code).toBe('InvalidCRC64');
    await t.http.put(`${B}/crc`).set('x-oss-hash-crc64ecma', '3231342946509354535').send('abc').expect(200);
  });

  it('refuses to overwrite with x-oss-forbid-overwrite: true (FileAlreadyExists)', async () => {
    await t.http.put(`${B}/once`).set('x-oss-forbid-overwrite', 'true').send('1').expect(200);
    const res = await t.http.put(`${B}/once`).set('x-oss-forbid-overwrite', 'true').send('2');
    expect(res.status).toBe(409);
    expect(errorOf(res).Code).toBe('FileAlreadyExists');
    await t.http.put(`${B}/once`).set('x-oss-forbid-overwrite', 'false').send('3').expect(200);
  });

  it('answers NotImplemented naming the header for a conditional header on a PUT', async () => {
    const res = await t.http.put(`${B}/cond`).set('If-Modified-Since', 'Tue, 02 Jan 2024 03:04:05 GMT').send('x');
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ Code: 'NotImplemented', Header: 'If-Modified-Since' });
  });

  it('answers 411 only when there is neither a Content-Length nor chunked encoding', async () => {
    const raw = await rawExchange(t.mock.port, `PUT ${B}/no-length HTTP/1.1\nHost: 127.0.0.1\n`);
    expect(raw).toMatch(/^HTTP\/1.1 411/);
    expect(raw).toContain('<Code>MissingContentLength</Code>');
    const chunked = await rawExchange(
      t.mock.port,
      `PUT ${B}/chunked HTTP/1.1\nHost: 127.0.0.1\nContent-Type: text/plain\nTransfer-Encoding: chunked\n`,
      '5\r\nhello\r\n0\r\n\r\n',
    );
    expect(chunked).toMatch(/^HTTP\/1.1 200/);
    await t.http.get(`${B}/chunked`).expect(200, 'hello');
  });

  it('accepts Content-Length together with Transfer-Encoding: chunked (ali-oss streams)', async () => {
    const raw = await rawExchange(
      t.mock.port,
      `PUT ${B}/both HTTP/1.1\nHost: 127.0.0.1\nContent-Type: text/plain\nContent-Length: 5\nTransfer-Encoding: chunked\n`,
      '5\r\nhello\r\n0\r\n\r\n',
    );
    expect(raw).toMatch(/^HTTP\/1.1 200/);
    await t.http.get(`${B}/both`).expect(200, 'hello');
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    expect(errorOf(await t.http.put('/obj-missing/k').send('x'))).toMatchObject({ Code: 'NoSuchBucket' });
  });
});

describe('GetObject (docs/protocol.md#getobject)', () => {
  const ten = '0123456789';
  beforeAll(async () => {
    await t.http.put(`${B}/ten`).set('Content-Type', 'text/plain').send(ten).expect(200);
  });

  it('answers the object with the headers of docs/protocol.md#common-headers', async () => {
    const res = await t.http.get(`${B}/ten`).expect(200, ten);
    expect(res.headers).toMatchObject({
      'content-length': '10',
      'content-type': 'text/plain',
      etag: `"${md5(ten).toString('hex').toUpperCase()}"`,
      'accept-ranges': 'bytes',
      'x-oss-object-type': 'Normal',
      'x-oss-storage-class': 'Standard',
      'x-oss-hash-crc64ecma': (await crc64(ten)).toString(),
      'content-md5': md5(ten).toString('base64'),
    });
    expect(res.headers['last-modified']).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
  });

  it('serves a valid range as 206 with Content-Range, and ignores an unsatisfiable one', async () => {
    const part = await t.http.get(`${B}/ten`).set('Range', 'bytes=2-4').expect(206, '234');
    expect(part.headers['content-range']).toBe('bytes 2-4/10');
    expect(part.headers['content-length']).toBe('3');
    await t.http.get(`${B}/ten`).set('Range', 'bytes=-3').expect(206, '789');
    const whole = await t.http.get(`${B}/ten`).set('Range', 'bytes=5-15').expect(200, ten);
    expect(whole.headers['content-range']).toBeUndefined();
  });

  it('with x-oss-range-behavior: standard clamps the end and answers 416 past the end', async () => {
    const std = { 'x-oss-range-behavior': 'standard' };
    const res = await t.http.get(`${B}/ten`).set(std).set('Range', 'bytes=5-15').expect(206, '56789');
    expect(res.headers['content-range']).toBe('bytes 5-9/10');
    const bad = await t.http.get(`${B}/ten`).set(std).set('Range', 'bytes=10-');
    expect(bad.status).toBe(416);
    expect(errorOf(bad).Code).toBe('InvalidRange');
  });

  it('honours If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since', async () => {
    const { headers } = await t.http.head(`${B}/ten`).expect(200);
    const etag = headers.etag!;
    const lastModified = headers['last-modified']!;
    const earlier = new Date(Date.parse(lastModified) - 5000).toUTCString();
    await t.http.get(`${B}/ten`).set('If-Match', etag).expect(200);
    await t.http.get(`${B}/ten`).set('If-Match', etag.replace(/"/g, '')).expect(200);
    const failed = await t.http.get(`${B}/ten`).set('If-Match', '"0000"');
    expect(failed.status).toBe(412);
    expect(errorOf(failed)).toMatchObject({ Code: 'PreconditionFailed', Condition: 'If-Match' });
    const notModified = await t.http.get(`${B}/ten`).set('If-None-Match', etag);
    expect(notModified.status).toBe(304);
    expect(notModified.headers.etag).toBe(etag);
    await t.http.get(`${B}/ten`).set('If-Modified-Since', lastModified).expect(304);
    await t.http.get(`${B}/ten`).set('If-Modified-Since', earlier).expect(200);
    await t.http.get(`${B}/ten`).set('If-Unmodified-Since', earlier).expect(412);
    await t.http.get(`${B}/ten`).set('If-Modified-Since', 'not a date').expect(200);
  });

  it('applies response-* overrides', async () => {
    const res = await t.http
      .get(
        `${B}/ten?response-content-type=application%2Fx-test&response-content-disposition=inline&response-cache-control=max-age%3D1`,
      )
      .expect(200);
    expect(res.headers).toMatchObject({
      'content-type': 'application/x-test',
      'content-disposition': 'inline',
      'cache-control': 'max-age=1',
    });
  });

  it('answers NoSuchKey with the Key', async () => {
    const res = await t.http.get(`${B}/nope`);
    expect(res.status).toBe(404);
    expect(errorOf(res)).toMatchObject({ Code: 'NoSuchKey', Key: 'nope' });
  });

  it('keeps keys with + literal and decodes %2F in paths', async () => {
    await t.http.put(`${B}/a+b%2Fc`).send('plus').expect(200);
    await t.http.get(`${B}/a+b/c`).expect(200, 'plus');
    await t.http.get(`${B}/a%2Bb%2Fc`).expect(200, 'plus');
    expect((await t.http.get(`${B}/a%20b%2Fc`)).status).toBe(404);
  });
});

describe('HeadObject and GetObjectMeta (docs/protocol.md#getobject)', () => {
  it('HEAD answers the GET headers without a body, and 304/412 for conditions', async () => {
    const res = await t.http.head(`${B}/ten`).expect(200);
    expect(res.headers['content-length']).toBe('10');
    expect(res.headers['x-oss-hash-crc64ecma']).toBeDefined();
    await t.http.head(`${B}/ten`).set('If-None-Match', res.headers.etag!).expect(304);
    const failed = await t.http.head(`${B}/ten`).set('If-Match', '"x"');
    expect(failed.status).toBe(412);
    expect(errorOf(failed).Code).toBe('PreconditionFailed');
  });

  it('GetObjectMeta answers ETag, Content-Length and Last-Modified', async () => {
    const res = await t.http.head(`${B}/ten?objectMeta`).expect(200);
    expect(res.headers.etag).toMatch(/^"[0-9A-F]{32}"$/);
    expect(res.headers['content-length']).toBe('10');
    expect(res.headers['last-modified']).toBeDefined();
    expect(errorOf(await t.http.head(`${B}/nope?objectMeta`)).Code).toBe('NoSuchKey');
  });
});

describe('DeleteObject (docs/protocol.md#object-operations)', () => {
  it('answers 204 whether or not the object existed; NoSuchBucket for a missing bucket', async () => {
    await t.http.put(`${B}/gone`).send('x').expect(200);
    await t.http.delete(`${B}/gone`).expect(204);
    await t.http.delete(`${B}/gone`).expect(204);
    await t.http.get(`${B}/gone`).expect(404);
    expect(errorOf(await t.http.delete('/obj-missing/k')).Code).toBe('NoSuchBucket');
  });
});
