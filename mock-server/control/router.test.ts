// The control API through the real listening server (startMockOss: the app, its settings and its middleware), not
// a bare Express app: the app's own settings (its query parser is off) change what the router sees.
import type http from 'node:http';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle, type MockOssOptions } from '../index.js';
import type { MockControl } from './control.js';
import { testContext } from './test-support/control-fixture.js';

const mocks: MockOssHandle[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

async function serve(options: MockOssOptions = {}): Promise<{ server: http.Server; control: MockControl }> {
  const mock = await startMockOss({ auth: false, ...options });
  mocks.push(mock);
  return { server: mock.server, control: mock.control };
}

describe('control router', () => {
  it('GET /health', async () => {
    const { server } = await serve({ ingestRate: 1000 });
    const res = await request(server).get('/_mock/health').expect(200);
    expect(res.body).toEqual({
      status: 'ok',
      version: expect.any(String),
      uptimeSeconds: expect.any(Number),
      store: 'memory',
      buckets: 0,
      objects: 0,
      uploads: 0,
      rules: 0,
      inflight: 0,
      lastEventSeq: 0,
      bodies: { whole: 0, streamed: 0 },
      ingestRate: 1000,
      egressRate: null,
    });
  });

  it('rules: POST, GET, DELETE one, DELETE all', async () => {
    const { server, control } = await serve();
    const created = await request(server)
      .post('/_mock/rules')
      .send({ match: { operation: 'UploadPart', partNumber: 2 }, fault: { type: 'reset', afterBytes: 10 } })
      .expect(201);
    expect(created.body).toEqual({
      id: 'r1',
      match: { operation: 'UploadPart', partNumber: 2 },
      fault: { type: 'reset', afterBytes: 10 },
      hits: 0,
    });
    // curl -d sends a form content type; the body is JSON all the same
    await request(server)
      .post('/_mock/rules')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send('{"id":"slow","ingestRate":"256KiB/s"}')
      .expect(201);
    expect((await request(server).get('/_mock/rules').expect(200)).body.rules.map((r: { id: string }) => r.id)).toEqual(
      ['r1', 'slow'],
    );
    await request(server)
      .put('/_mock/rules/slow')
      .send({ ingestRate: '128KiB/s', times: 3 })
      .expect(200, { id: 'slow', ingestRate: 131072, times: 3, match: {}, hits: 0 });
    const badEdit = await request(server).put('/_mock/rules/slow').send({ times: 0 }).expect(400);
    expect(badEdit.body).toEqual({ error: 'times: must be an integer from 1 to 9007199254740991', field: 'times' });
    await request(server).put('/_mock/rules/none').send({}).expect(404);
    await request(server).delete('/_mock/rules/r1').expect(200, { deleted: 1 });
    await request(server).delete('/_mock/rules/r1').expect(404);
    await request(server).delete('/_mock/rules').expect(200, { deleted: 1 });
    expect(control.listRules()).toEqual([]);
  });

  it('a rule whose `times` is used up leaves GET /rules; the event log keeps it', async () => {
    const mock = await startMockOss({ auth: false });
    mocks.push(mock);
    const { server } = mock;
    await request(server)
      .post('/_mock/rules')
      .send({ id: 'once', match: { bucket: 'used-up', key: 'k' }, times: 1 })
      .expect(201);
    expect((await fetch(`${mock.endpoint}/used-up`, { method: 'PUT' })).status).toBe(200);
    expect((await request(server).get('/_mock/rules').expect(200)).body.rules).toHaveLength(1);
    expect((await fetch(`${mock.endpoint}/used-up/k`, { method: 'PUT', body: 'x' })).status).toBe(200);
    expect((await request(server).get('/_mock/rules').expect(200)).body.rules).toEqual([]);
    await request(server).delete('/_mock/rules/once').expect(404);
    const events = (await request(server).get('/_mock/events').expect(200)).body.events as Array<{ type: string }>;
    expect(events.filter((e) => e.type.startsWith('rule.'))).toEqual([
      expect.objectContaining({ type: 'rule.matched', ruleId: 'once', key: 'k' }),
      expect.objectContaining({ type: 'rule.exhausted', ruleId: 'once', hits: 1, key: 'k' }),
    ]);
  });

  it('a bad rule or bad JSON is 400 with the field', async () => {
    const { server } = await serve();
    const bad = await request(server)
      .post('/_mock/rules')
      .send({ fault: { type: 'stall' } })
      .expect(400);
    expect(bad.body).toEqual({ error: expect.stringContaining('required'), field: 'fault.stallMs' });
    const json = await request(server)
      .post('/_mock/rules')
      .set('content-type', 'application/json')
      .send('{"match": ')
      .expect(400);
    expect(json.body).toMatchObject({ field: '' });
    expect((await request(server).get('/_mock/events?since=abc').expect(400)).body.field).toBe('since');
  });

  it('POST /wait answers with the entries, or 408 on timeout', async () => {
    const { server, control } = await serve();
    const tracker = control.trackBody(testContext({ key: 'w' }), 100);
    const waiting = request(server)
      .post('/_mock/wait')
      .send({ match: { keyPrefix: 'w' }, minBytes: 50, timeoutMs: 5000 });
    const answered = waiting.then((res) => res);
    tracker.received(60);
    const res = await answered;
    expect(res.status).toBe(200);
    expect(res.body.entries).toEqual([expect.objectContaining({ key: 'w', bytesReceived: 60, contentLength: 100 })]);
    const aborted = request(server)
      .post('/_mock/wait')
      .send({ match: { key: 'w' }, until: 'aborted', timeoutMs: 5000 })
      .then((r) => r);
    tracker.end(true); // before or after the wait reaches the server: both count

    expect((await aborted).body.entries).toEqual([expect.objectContaining({ key: 'w', bytesReceived: 60 })]);
    const timeout = await request(server).post('/_mock/wait').send({ minBytes: 1000, timeoutMs: 20 }).expect(408);
    expect(timeout.body).toMatchObject({ error: expect.stringContaining('timed out'), entries: [] });
    await request(server)
      .post('/_mock/wait')
      .send({ minBytes: 1 })
      .expect(400, { error: 'timeoutMs: required', field: 'timeoutMs' });
  });

  it('GET /inflight, GET /events?since, POST /reset, GET|POST /rates', async () => {
    const { server, control } = await serve();
    control.trackBody(testContext({ key: 'f' }), null).received(7);
    const inflight = await request(server).get('/_mock/inflight').expect(200);
    expect(inflight.body.inflight).toEqual([
      expect.objectContaining({ key: 'f', bytesReceived: 7, contentLength: null }),
    ]);
    control.requestStarted(testContext());
    control.requestEnded(testContext(), 200);
    control.requestStarted(testContext());
    const events = await request(server).get('/_mock/events?since=1').expect(200);
    expect(events.body.lastSeq).toBe(3);
    expect(events.body.events.map((e: { seq: number; type: string }) => [e.seq, e.type])).toEqual([
      [2, 'request.end'],
      [3, 'request.start'],
    ]);
    const page = await request(server).get('/_mock/events?since=0&limit=2').expect(200);
    expect(page.body.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    expect((await request(server).get('/_mock/events?limit=x').expect(400)).body.field).toBe('limit');
    await request(server).post('/_mock/rates').send({ egressRate: '1MiB/s' }).expect(200, {
      ingestRate: null,
      egressRate: 1048576,
    });
    await request(server).post('/_mock/rates').send({ egressRate: 0 }).expect(400);
    await request(server).post('/_mock/reset').expect(200);
    expect((await request(server).get('/_mock/events').expect(200)).body).toEqual({ events: [], lastSeq: 3 });
  });

  it('an unknown path is 404 JSON', async () => {
    const res = await request((await serve()).server)
      .get('/_mock/nope')
      .expect(404);
    expect(res.body.error).toContain('/nope');
  });

  it('with a control token every call needs the bearer token', async () => {
    const { server } = await serve({ controlToken: 't0ken' });
    const denied = await request(server).get('/_mock/health').expect(401);
    expect(denied.headers['www-authenticate']).toBe('Bearer');
    expect(denied.body.error).toContain('Bearer');
    await request(server).get('/_mock/health').set('authorization', 'Bearer wrong').expect(401);
    await request(server).get('/_mock/health').set('authorization', 'Bearer t0ken').expect(200);
  });
});
