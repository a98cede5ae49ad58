// V4 requests whose signature is valid for what they declare, yet which OSS refuses: a Credential day that is not
// the request's day (the key of another day signed it), and an x-oss-content-sha256 other than UNSIGNED-PAYLOAD
// (OSS signs no payload hash; a correct SHA-256 of the body is refused too). Sent to a listening mock, auth on.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateStamp, isoBasic } from '../../protocol/dates.js';
import {
  canonicalRequestV4,
  scopeV4,
  signingKeyV4,
  signV4,
  stringToSignV4,
  type SignableRequest,
} from '../../protocol/signing.js';
import { errorOf } from '../http/test-support/test-mock.js';
import { startMockOss, type MockOssHandle } from '../index.js';

let mock: MockOssHandle;
const BUCKET = 'v4-scope';
const DAY_MS = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  mock = await startMockOss();
  const res = await send({ method: 'PUT', bucket: BUCKET, query: [], headers: {} });
  expect(res.status).toBe(200);
});
afterAll(() => mock.close());

/** A header-signed V4 request; `scopeDay` is the Credential's day (default: the day of x-oss-date). */
async function send(
  r: SignableRequest,
  o: { body?: string; scopeDay?: string; payloadHash?: string } = {},
): Promise<Response> {
  const now = new Date();
  const headers: Record<string, string> = {
    ...r.headers,
    'x-oss-date': isoBasic(now),
    'x-oss-content-sha256': o.payloadHash ?? 'UNSIGNED-PAYLOAD',
  };
  const signed = { ...r, headers };
  const day = o.scopeDay ?? dateStamp(now);
  const scope = scopeV4(day, mock.region);
  const sts = stringToSignV4(headers['x-oss-date']!, scope, canonicalRequestV4(signed, []));
  const signature = signV4(signingKeyV4(mock.accessKeySecret, day, mock.region), sts);
  headers.authorization = `OSS4-HMAC-SHA256 Credential=${mock.accessKeyId}/${scope},Signature=${signature}`;
  const path = `/${r.bucket}/${r.key ?? ''}`;
  return fetch(`${mock.endpoint}${path}`, { method: r.method, headers, body: o.body });
}

async function exists(key: string): Promise<boolean> {
  const res = await send({ method: 'HEAD', bucket: BUCKET, key, query: [], headers: {} });
  return res.status === 200;
}

describe('V4 header signature: the Credential day', () => {
  it('refuses a request signed with the key of another day than x-oss-date (403, EC 0002-00000212)', async () => {
    const yesterday = dateStamp(new Date(Date.now() - DAY_MS));
    const res = await send(
      { method: 'PUT', bucket: BUCKET, key: 'stale-key.txt', query: [], headers: { 'content-type': 'text/plain' } },
      { body: 'signed yesterday', scopeDay: yesterday },
    );
    expect(res.status).toBe(403);
    const err = errorOf({ text: await res.text(), headers: Object.fromEntries(res.headers) });
    expect(err.Code).toBe('AccessDenied');
    expect(err.EC).toBe('0002-00000212');
    expect(await exists('stale-key.txt')).toBe(false);
  });

  it('accepts the same request signed with the day of x-oss-date', async () => {
    const res = await send(
      { method: 'PUT', bucket: BUCKET, key: 'today.txt', query: [], headers: { 'content-type': 'text/plain' } },
      { body: 'signed today' },
    );
    expect(res.status).toBe(200);
    expect(await exists('today.txt')).toBe(true);
  });
});

describe('V4 header signature: x-oss-content-sha256', () => {
  const body = 'a body whose hash is signed';
  const sha256 = createHash('sha256').update(body).digest('hex');

  it.each([
    ['the SHA-256 of the body', sha256],
    ['a SHA-256 of other bytes', createHash('sha256').update('other').digest('hex')],
    ['garbage', 'not-a-hash'],
  ])('refuses %s with 400 InvalidArgument (EC 0002-00000214) and stores nothing', async (_what, hash) => {
    const key = `hashed-${hash.slice(0, 8)}.txt`;
    const res = await send(
      { method: 'PUT', bucket: BUCKET, key, query: [], headers: { 'content-type': 'text/plain' } },
      { body, payloadHash: hash },
    );
    expect(res.status).toBe(400);
    const err = errorOf({ text: await res.text(), headers: Object.fromEntries(res.headers) });
    expect(err.Code).toBe('InvalidArgument');
    expect(err.EC).toBe('0002-00000214');
    expect(err.ArgumentName).toBe('x-oss-content-sha256');
    expect(await exists(key)).toBe(false);
  });

  it('accepts UNSIGNED-PAYLOAD', async () => {
    const res = await send(
      { method: 'PUT', bucket: BUCKET, key: 'unsigned.txt', query: [], headers: { 'content-type': 'text/plain' } },
      { body },
    );
    expect(res.status).toBe(200);
  });
});

describe('V4 presigned URL: the x-oss-credential day', () => {
  /** A presigned GET whose x-oss-credential carries `day` while x-oss-date is now. */
  function presignedUrl(key: string, day: string): string {
    const now = new Date();
    const scope = scopeV4(day, mock.region);
    const query: Array<[string, string]> = [
      ['x-oss-signature-version', 'OSS4-HMAC-SHA256'],
      ['x-oss-credential', `${mock.accessKeyId}/${scope}`],
      ['x-oss-date', isoBasic(now)],
      ['x-oss-expires', '600'],
    ];
    const r: SignableRequest = { method: 'GET', bucket: BUCKET, key, query, headers: {} };
    const sts = stringToSignV4(isoBasic(now), scope, canonicalRequestV4(r, []));
    query.push(['x-oss-signature', signV4(signingKeyV4(mock.accessKeySecret, day, mock.region), sts)]);
    return `${mock.endpoint}/${BUCKET}/${key}?${query.map(([n, v]) => `${n}=${encodeURIComponent(v)}`).join('&')}`;
  }

  it('refuses a URL signed with the key of another day (403, EC 0002-00000223), accepts today', async () => {
    const stale = await fetch(presignedUrl('today.txt', dateStamp(new Date(Date.now() - DAY_MS))));
    expect(stale.status).toBe(403);
    const err = errorOf({ text: await stale.text(), headers: Object.fromEntries(stale.headers) });
    expect(err.Code).toBe('AccessDenied');
    expect(err.EC).toBe('0002-00000223');
    const fresh = await fetch(presignedUrl('today.txt', dateStamp(new Date())));
    expect(fresh.status).toBe(200);
    expect(await fresh.text()).toBe('signed today');
  });
});
