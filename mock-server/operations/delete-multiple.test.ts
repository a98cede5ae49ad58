// DeleteMultipleObjects on the wire (docs/protocol.md#delete-multiple-objects).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestMock, xmlBody, xmlList, type TestMock } from '../http/test-support/test-mock.js';

let t: TestMock;
beforeAll(async () => {
  t = await startTestMock();
  await t.http.put('/dm-bucket').expect(200);
});
afterAll(() => t.close());

const md5 = (s: string) => createHash('md5').update(s).digest('base64');
const deleteXml = (keys: string[], quiet = false) =>
  `<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>${quiet}</Quiet>${keys
    .map((k) => `<Object><Key>${k}</Key></Object>`)
    .join('')}</Delete>`;
const post = (body: string, query = '') =>
  t.http
    .post(`/dm-bucket/?delete${query}`)
    .set('Content-MD5', md5(body))
    .set('Content-Type', 'application/xml')
    .send(body);

describe('DeleteMultipleObjects', () => {
  it('deletes the keys and reports each one, missing keys included', async () => {
    await t.http.put('/dm-bucket/a').send('1').expect(200);
    await t.http.put('/dm-bucket/b &amp; c').send('2').expect(200);
    const res = await post(deleteXml(['a', 'b &amp;amp; c', 'never-existed'])).expect(200);
    expect(xmlList(xmlBody(res.text).Deleted).map((d) => d.Key)).toEqual(['a', 'b &amp; c', 'never-existed']);
    await t.http.get('/dm-bucket/a').expect(404);
  });

  it('answers an empty 200 in quiet mode', async () => {
    await t.http.put('/dm-bucket/q').send('1').expect(200);
    const res = await post(deleteXml(['q'], true)).expect(200);
    expect(res.headers['content-length']).toBe('0');
    await t.http.get('/dm-bucket/q').expect(404);
  });

  it('URL-encodes the keys with encoding-type=url', async () => {
    const res = await post(deleteXml(['x y+z']), '&encoding-type=url').expect(200);
    const body = xmlBody(res.text);
    expect(body.EncodingType).toBe('url');
    expect(xmlList(body.Deleted)[0]!.Key).toBe('x%20y%2Bz');
  });

  it('requires Content-MD5 and verifies it', async () => {
    const body = deleteXml(['a']);
    const missing = await t.http.post('/dm-bucket/?delete').send(body);
    expect(missing.status).toBe(400);
    expect(errorOf(missing).EC).toBe('0016-00000606');
    const wrong = await t.http.post('/dm-bucket/?delete').set('Content-MD5', md5('other')).send(body);
    expect(errorOf(wrong).Code).toBe('InvalidDigest');
  });

  it('answers MalformedXML for bad XML, more than 1000 keys, or an Object without Key', async () => {
    expect(errorOf(await post('<Delete><Object>')).Code).toBe('MalformedXML');
    const many = deleteXml(Array.from({ length: 1001 }, (_, i) => `k${i}`));
    expect(errorOf(await post(many)).Code).toBe('MalformedXML');
    expect(errorOf(await post('<Delete><Object></Object></Delete>'))).toMatchObject({ Code: 'MalformedXML' });
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    const body = deleteXml(['a']);
    const res = await t.http.post('/dm-missing/?delete').set('Content-MD5', md5(body)).send(body);
    expect(errorOf(res).Code).toBe('NoSuchBucket');
  });
});
