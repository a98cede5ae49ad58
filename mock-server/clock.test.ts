// The server's clock offset (--clock-offset, POST /_mock/clock): the Date header, request IDs, the signature time
// check, presigned-URL expiry and Last-Modified all follow it; real clients signing with real time see the skew.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { OssClient } from '../client/index.js';
import { parseDuration } from './clock.js';
import { parseCliArgs } from './cli-args.js';
import { startMockOss, type MockOssHandle } from './index.js';

const MIN = 60_000;
let mock: MockOssHandle | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

function client(m: MockOssHandle): OssClient {
  return new OssClient({
    endpoint: m.endpoint,
    accessKeyId: m.accessKeyId,
    accessKeySecret: m.accessKeySecret,
    region: m.region,
    retry: { maxRetries: 0 },
  });
}

async function setClock(m: MockOssHandle, body: unknown): Promise<Response> {
  return fetch(`${m.endpoint}/_mock/clock`, { method: 'POST', body: JSON.stringify(body) });
}

/** The server's Date header minus the local clock, in minutes (whole minutes: the header has second resolution). */
async function serverAheadMinutes(m: MockOssHandle): Promise<number> {
  const res = await fetch(`${m.endpoint}/_mock/health`);
  await res.arrayBuffer();
  return Math.round((Date.parse(res.headers.get('date') ?? '') - Date.now()) / MIN);
}

describe('the server clock', () => {
  it('parses durations and refuses what is not one', () => {
    expect(parseDuration('20m')).toBe(20 * MIN);
    expect(parseDuration('-90s')).toBe(-90_000);
    expect(parseDuration('1h30m')).toBe(90 * MIN);
    expect(parseDuration('+250ms')).toBe(250);
    expect(parseDuration('0')).toBe(0);
    for (const bad of ['20', 'm', '1x', '', '--5m', '5 m']) expect(parseDuration(bad)).toBeUndefined();
    expect(parseCliArgs(['--clock-offset', '-20m'])).toMatchObject({ options: { clockOffsetMs: -20 * MIN } });
    expect(() => parseCliArgs(['--clock-offset', '20'])).toThrow('--clock-offset: "20" is not a duration');
  });

  it('--clock-offset moves Date and request IDs, and real-time signatures become RequestTimeTooSkewed', async () => {
    mock = await startMockOss({ clockOffsetMs: 20 * MIN });
    expect(await serverAheadMinutes(mock)).toBe(20);
    const err = await client(mock)
      .putBucket({ bucket: 'skewed' })
      .catch((e: unknown) => e as { code: string; status: number; requestId: string });
    expect(err).toMatchObject({ code: 'RequestTimeTooSkewed', status: 403 });
    // the first 8 hex digits of a request ID are the server's unix seconds
    const idSeconds = parseInt(err.requestId.slice(0, 8), 16);
    expect(Math.round((idSeconds * 1000 - Date.now()) / MIN)).toBe(20);
  });

  it('POST /_mock/clock changes the offset at run time; Last-Modified and presign expiry follow it', async () => {
    mock = await startMockOss({ clockOffsetMs: 20 * MIN });
    const c = client(mock);
    const set = await setClock(mock, { offset: '0' });
    expect(await set.json()).toMatchObject({ offsetMs: 0 });
    await c.putBucket({ bucket: 'clocked' });
    await setClock(mock, { offsetMs: 10 * MIN });
    expect(await serverAheadMinutes(mock)).toBe(10);
    await c.putObject({ bucket: 'clocked', key: 'k', body: Buffer.from('x') });
    const head = await fetch(c.presignUrl({ bucket: 'clocked', key: 'k', method: 'GET', expiresSeconds: 3600 }));
    await head.arrayBuffer();
    expect(head.status).toBe(200);
    expect(Math.round((Date.parse(head.headers.get('last-modified') ?? '') - Date.now()) / MIN)).toBe(10);
    // 2 hours ahead, a URL valid for 1 hour from the client's now has expired for the server
    await setClock(mock, { offset: '2h' });
    const expired = await fetch(c.presignUrl({ bucket: 'clocked', key: 'k', method: 'GET', expiresSeconds: 3600 }));
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('<Code>AccessDenied</Code>');
    expect(await (await fetch(`${mock.endpoint}/_mock/clock`)).json()).toMatchObject({ offsetMs: 2 * 60 * MIN });
  });

  it('STS expiry follows the server clock: an expiration 1 hour from real time has passed 2 hours ahead', async () => {
    const inAnHour = new Date(Date.now() + 60 * MIN);
    mock = await startMockOss({
      clockOffsetMs: 2 * 60 * MIN,
      sts: [{ accessKeyId: 'STSclock', accessKeySecret: 'secret', securityToken: 'token', expiration: inAnHour }],
    });
    const listed = (await (await fetch(`${mock.endpoint}/_mock/credentials`)).json()) as {
      credentials: { accessKeyId: string; expired?: boolean }[];
    };
    expect(listed.credentials.find((c) => c.accessKeyId === 'STSclock')).toMatchObject({ expired: true });
    // a credential minted now lasts its duration from the server's now, not from real time
    const minted = (await (
      await fetch(`${mock.endpoint}/_mock/sts`, { method: 'POST', body: JSON.stringify({ durationSeconds: 3600 }) })
    ).json()) as { expiration: string };
    expect(Math.round((Date.parse(minted.expiration) - Date.now()) / MIN)).toBe(180);
  });

  it('a PostObject policy expires by the server clock: valid for an hour of real time, expired 2 hours ahead', async () => {
    mock = await startMockOss();
    await client(mock).putBucket({ bucket: 'forms' });
    const m = mock;
    // a V1 form as ali-oss's calculatePostSignature signs it: base64 policy, HMAC-SHA1 of it with the secret
    const post = async (key: string): Promise<{ status: number; text: string }> => {
      const policy = Buffer.from(
        JSON.stringify({ expiration: new Date(Date.now() + 60 * MIN).toISOString(), conditions: [] }),
      ).toString('base64');
      const form = new FormData();
      form.append('key', key);
      form.append('OSSAccessKeyId', m.accessKeyId);
      form.append('policy', policy);
      form.append('Signature', createHmac('sha1', m.accessKeySecret).update(policy).digest('base64'));
      form.append('file', new Blob(['x']), 'x');
      const res = await fetch(`${m.endpoint}/forms/`, { method: 'POST', body: form });
      return { status: res.status, text: await res.text() };
    };
    expect((await post('now')).status).toBe(204);
    expect((await setClock(m, { offset: '2h' })).status).toBe(200);
    const late = await post('later');
    expect(late.status).toBe(403);
    expect(late.text).toContain('Policy expired');
  });

  it('refuses an offset that is not a duration', async () => {
    mock = await startMockOss();
    const res = await setClock(mock, { offset: 'soon' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'offset' });
    expect(mock.control.getClock().offsetMs).toBe(0);
  });
});
