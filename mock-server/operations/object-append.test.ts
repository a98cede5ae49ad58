// AppendObject on the wire (docs/protocol.md#appendobject).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../protocol/crc64.js';
import { errorOf, startTestMock, type TestMock } from '../http/test-support/test-mock.js';

let t: TestMock;
beforeAll(async () => {
  t = await startTestMock();
  await t.http.put('/append-bucket').expect(200);
});
afterAll(() => t.close());

describe('AppendObject', () => {
  it('creates at position 0, appends at the length, and reports the whole-object CRC and next position', async () => {
    const first = await t.http
      .post('/append-bucket/log?append&position=0')
      .set('Content-Type', 'text/plain')
      .send('abc')
      .expect(200);
    expect(first.headers['x-oss-next-append-position']).toBe('3');
    expect(first.headers['x-oss-hash-crc64ecma']).toBe('3231342946509354535');
    expect(first.headers.etag).toMatch(/^"[0-9A-F]{32}"$/);
    const second = await t.http.post('/append-bucket/log?append=&position=3').send('defg').expect(200);
    expect(second.headers['x-oss-next-append-position']).toBe('7');
    expect(second.headers['x-oss-hash-crc64ecma']).toBe((await crc64('abcdefg')).toString());
    const head = await t.http.head('/append-bucket/log').expect(200);
    expect(head.headers).toMatchObject({
      'x-oss-object-type': 'Appendable',
      'x-oss-next-append-position': '7',
      'content-type': 'text/plain',
    });
    expect(head.headers['content-md5']).toBeUndefined();
    await t.http.get('/append-bucket/log').expect(200, 'abcdefg');
  });

  it('answers PositionNotEqualToLength (409) with x-oss-next-append-position', async () => {
    const res = await t.http.post('/append-bucket/log?append&position=1').send('x');
    expect(res.status).toBe(409);
    expect(res.headers['x-oss-next-append-position']).toBe('7');
    // the message ali-oss's own test compares exactly (test/node/object.test.js)
    expect(errorOf(res)).toMatchObject({
      Code: 'PositionNotEqualToLength',
      Message: 'Position is not equal to file length',
    });
    await t.http.get('/append-bucket/log').expect(200, 'abcdefg');
  });

  it('answers ObjectNotAppendable for a Normal object, and InvalidArgument for a bad position', async () => {
    await t.http.put('/append-bucket/normal').send('n').expect(200);
    const res = await t.http.post('/append-bucket/normal?append&position=1').send('x');
    expect(res.status).toBe(409);
    expect(errorOf(res).Code).toBe('ObjectNotAppendable');
    const bad = await t.http.post('/append-bucket/log?append&position=-1').send('x');
    expect(errorOf(bad)).toMatchObject({ Code: 'InvalidArgument', ArgumentName: 'position' });
    const missing = await t.http.post('/append-bucket/log?append').send('x');
    expect(errorOf(missing)).toMatchObject({ Code: 'InvalidArgument', ArgumentName: 'position' });
  });

  it('PutObject over an Appendable object makes it Normal', async () => {
    await t.http.put('/append-bucket/log').send('fresh').expect(200);
    const head = await t.http.head('/append-bucket/log').expect(200);
    expect(head.headers['x-oss-object-type']).toBe('Normal');
  });
});
