// The ECs of common refusals, each provoked for real on a listening mock and checked in the XML and in x-oss-ec, against
// the EC pages OSS publishes (https://www.alibabacloud.com/help/en/oss/support/<EC>; docs/protocol.md#error-catalogue).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, rawExchange, startTestMock, type TestMock } from './http/test-support/test-mock.js';

let t: TestMock;
const B = '/ecs';
beforeAll(async () => {
  t = await startTestMock();
  await t.http.put(B).expect(200);
  await t.http.put(`${B}/normal`).send('x').expect(200);
});
afterAll(() => t.close());

function expectEc(
  res: { status: number; text: string; headers: Record<string, string> },
  want: [number, string, string],
) {
  const err = errorOf(res);
  expect([res.status, err.Code, err.EC, res.headers['x-oss-ec']]).toEqual([...want, want[2]]);
}

describe('ECs of common refusals (docs/protocol.md#error-catalogue)', () => {
  it('FileAlreadyExists on PutObject and CopyObject with x-oss-forbid-overwrite: 0026-00000201', async () => {
    const put = await t.http.put(`${B}/normal`).set('x-oss-forbid-overwrite', 'true').send('y');
    expectEc(put, [409, 'FileAlreadyExists', '0026-00000201']);
    const copy = await t.http
      .put(`${B}/normal`)
      .set('x-oss-copy-source', `${B}/normal`)
      .set('x-oss-forbid-overwrite', 'true');
    expectEc(copy, [409, 'FileAlreadyExists', '0026-00000201']);
  });

  it('ObjectNotAppendable: 0026-00000017', async () => {
    const res = await t.http.post(`${B}/normal?append&position=1`).send('more');
    expectEc(res, [409, 'ObjectNotAppendable', '0026-00000017']);
  });

  it('PreconditionFailed: 0017-00001001', async () => {
    const res = await t.http.get(`${B}/normal`).set('If-Match', '"00000000000000000000000000000000"');
    expectEc(res, [412, 'PreconditionFailed', '0017-00001001']);
  });

  it('InvalidDigest (a Content-MD5 that is not the body`s): 0017-00000503', async () => {
    const res = await t.http.put(`${B}/digest`).set('Content-MD5', 'AAAAAAAAAAAAAAAAAAAAAA==').send('body');
    expectEc(res, [400, 'InvalidDigest', '0017-00000503']);
  });

  it('MethodNotAllowed: 0017-00000001, with Method, ResourceType and Allow', async () => {
    const res = await t.http.patch(`${B}/normal`).send('');
    expectEc(res, [405, 'MethodNotAllowed', '0017-00000001']);
    expect(errorOf(res)).toMatchObject({ Method: 'PATCH', ResourceType: 'Object' });
    expect(res.headers.allow).toBeDefined();
  });

  it('MissingContentLength (a PUT without Content-Length or chunked framing): 0017-00000101', async () => {
    const raw = await rawExchange(t.mock.port, `PUT ${B}/nolength HTTP/1.1\nHost: 127.0.0.1:${t.mock.port}`);
    expect(raw).toMatch(/^HTTP\/1\.1 411 /);
    expect(raw).toMatch(/\r\nx-oss-ec: 0017-00000101\r\n/i);
    expect(raw).toContain('<Code>MissingContentLength</Code>');
  });
});
