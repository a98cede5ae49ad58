// Every answer is in the event log (GET /_mock/events): successes, errors of dispatched operations, and the answers
// to requests that never had an operation (NotImplemented for x-oss-process, MethodNotAllowed) or never reached the
// app (a header section over the limit, answered by the connection guard).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockEvent } from '../index.js';
import { rawExchange, startTestMock, type TestMock } from './test-support/test-mock.js';

let t: TestMock;
beforeAll(async () => {
  t = await startTestMock({ maxHeaderBytes: 2048 });
  await t.http.put('/log-bucket').expect(200);
});
afterAll(() => t.close());

/** The request.start / request.end pair of the answer with this x-oss-request-id, read over HTTP. */
async function eventsOf(requestId: string): Promise<MockEvent[]> {
  const res = await t.http.get('/_mock/events').expect(200);
  return (res.body.events as MockEvent[]).filter((e) => e.requestId === requestId);
}

describe('the event log holds every answer', () => {
  it('x-oss-process: NotImplemented, logged with its status and code, on GET and POST alike', async () => {
    for (const res of [
      await t.http.get('/log-bucket/k?x-oss-process=image/resize,w_100'),
      await t.http.post('/log-bucket/k?x-oss-process').send('x'),
    ]) {
      expect(res.status).toBe(400);
      const events = await eventsOf(res.headers['x-oss-request-id']!);
      expect(events.map((e) => e.type)).toEqual(['request.start', 'request.end']);
      expect(events[1]).toMatchObject({ bucket: 'log-bucket', key: 'k', status: 400, code: 'NotImplemented' });
      expect(events[1]!.operation).toBeUndefined();
    }
  });

  it('MethodNotAllowed and an unimplemented sub-resource are logged too; so is an error of a real operation', async () => {
    const patch = await t.http.patch('/log-bucket/k');
    expect((await eventsOf(patch.headers['x-oss-request-id']!))[1]).toMatchObject({
      status: 405,
      code: 'MethodNotAllowed',
    });
    const lifecycle = await t.http.put('/log-bucket/?lifecycle');
    expect((await eventsOf(lifecycle.headers['x-oss-request-id']!))[1]).toMatchObject({
      status: 400,
      code: 'NotImplemented',
    });
    const missing = await t.http.get('/log-bucket/missing');
    expect((await eventsOf(missing.headers['x-oss-request-id']!))[1]).toMatchObject({
      operation: 'GetObject',
      status: 404,
      code: 'NoSuchKey',
    });
  });

  it('the connection guard’s own answers (a header section over the limit) are logged', async () => {
    const raw = await rawExchange(t.mock.port, `GET /log-bucket/k HTTP/1.1\nHost: x\nX-Big: ${'a'.repeat(4096)}`);
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    const requestId = /x-oss-request-id: (\w+)/i.exec(raw)![1]!;
    expect((await eventsOf(requestId))[1]).toMatchObject({ type: 'request.end', status: 400, code: 'InvalidRequest' });
  });
});
