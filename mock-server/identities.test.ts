// More than one identity against a listening mock (docs/protocol.md#identities): several key pairs with their own
// permissions, STS credentials given at start and minted through the control API, used by ali-oss (`stsToken`) and
// by the project's OssClient (`securityToken`, `credentialsProvider`), header-signed and presigned, V1 and V4.
import OSS from 'ali-oss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OssClient } from '../client/client.js';
import type { OssClientError } from '../client/errors.js';
import type { OssCredentials } from '../client/options.js';
import { startMockOss, type MintedSts, type MockOssHandle } from './index.js';
import { rejection } from '../testkit/rejection.js';

let mock: MockOssHandle;
const READER = { accessKeyId: 'reader', accessKeySecret: 'reader-secret' };
const UPLOADER = { accessKeyId: 'uploader', accessKeySecret: 'uploader-secret' };
const STS_AT_START = { accessKeyId: 'STS.start', accessKeySecret: 'start-secret', securityToken: 'CAISstart' };

beforeAll(async () => {
  mock = await startMockOss({
    credentials: [READER, UPLOADER],
    sts: [STS_AT_START],
    permissions: {
      reader: { access: 'read-only' },
      uploader: { access: 'write-only', buckets: ['id-*'] },
    },
  });
  await ossClient().putBucket({ bucket: 'id-main' });
  await ossClient().putBucket({ bucket: 'other' });
});
afterAll(async () => {
  await mock.close();
});

function ossClient(c: Partial<OssCredentials> = {}, o: { signatureVersion?: 'v1' | 'v4' } = {}): OssClient {
  return new OssClient({
    endpoint: mock.endpoint,
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
    ...c,
    ...o,
  });
}

function aliClient(c: { accessKeyId: string; accessKeySecret: string; stsToken?: string }, v4 = false): OSS {
  // localhost + sldEnable: the bucket travels in the path, so signatureUrl works too
  return new OSS({
    endpoint: `http://localhost:${mock.port}`,
    sldEnable: true,
    region: 'oss-cn-hangzhou',
    bucket: 'id-main',
    authorizationV4: v4,
    ...c,
    // without it ali-oss warns on every STS client; the default interval (5 min) never elapses in these tests
    ...(c.stsToken === undefined ? {} : { refreshSTSToken: async () => ({ ...c, stsToken: c.stsToken }) }),
  } as OSS.Options);
}

async function control<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${mock.endpoint}/_mock${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, json: (await res.json()) as T };
}

const mint = async (body: unknown = {}): Promise<MintedSts> => (await control<MintedSts>('POST', '/sts', body)).json;

describe('several key pairs and their permissions', () => {
  it('a read-only pair reads and lists but cannot write (403 AccessDenied)', async () => {
    await ossClient().putObject({ bucket: 'id-main', key: 'r.txt', body: 'readable' });
    const reader = ossClient(READER);
    expect((await reader.getObject({ bucket: 'id-main', key: 'r.txt' })).content.toString()).toBe('readable');
    expect((await reader.listObjects({ bucket: 'id-main' })).objects.map((o) => o.key)).toContain('r.txt');
    const refused = (await rejection(
      reader.putObject({ bucket: 'id-main', key: 'w.txt', body: 'x' }),
    )) as OssClientError;
    expect([refused.code, refused.status, refused.ec]).toEqual(['AccessDenied', 403, '0003-00000001']);
    expect(refused.details.AuthAction).toBe('oss:PutObject');
    const ali = aliClient(READER);
    expect((await ali.get('r.txt')).content.toString()).toBe('readable');
    const aliRefused = await rejection(ali.delete('r.txt'));
    expect([aliRefused.code, aliRefused.status]).toEqual(['AccessDenied', 403]);
  });

  it('a write-only pair on id-* buckets uploads there (multipart too) but reads nothing and touches no other bucket', async () => {
    const ali = aliClient(UPLOADER);
    expect((await ali.put('up.txt', Buffer.from('uploaded'))).res.status).toBe(200);
    const part = Buffer.alloc(100 * 1024 + 1, 7);
    const multipart = await ali.multipartUpload('up.bin', part, { partSize: 100 * 1024 });
    expect(multipart.res.status).toBe(200);
    expect((await rejection(ali.get('up.txt'))).code).toBe('AccessDenied');
    const other = aliClient(UPLOADER);
    other.useBucket('other');
    expect((await rejection(other.put('x.txt', Buffer.from('x')))).code).toBe('AccessDenied');
    // the owner sees what it wrote, and the event log says who wrote it
    expect((await ossClient().getObject({ bucket: 'id-main', key: 'up.bin' })).content.equals(part)).toBe(true);
    const events = mock.control.events().filter((e) => e.type === 'object.committed' && e.key === 'up.txt');
    expect(events.map((e) => e.accessKeyId)).toEqual(['uploader']);
  });

  it('a copy needs read access to its source bucket', async () => {
    await ossClient().putObject({ bucket: 'other', key: 'src.txt', body: 'source' });
    const refused = (await rejection(
      ossClient(UPLOADER).copyObject({
        bucket: 'id-main',
        key: 'copy.txt',
        sourceBucket: 'other',
        sourceKey: 'src.txt',
      }),
    )) as OssClientError;
    expect([refused.code, refused.details.AuthAction]).toEqual(['AccessDenied', 'oss:GetObject']);
  });

  it('an unknown pair is InvalidAccessKeyId; the control API lists identities without secrets', async () => {
    const unknown = await rejection(ossClient({ accessKeyId: 'nobody', accessKeySecret: 'x' }).listBuckets());
    expect(unknown.code).toBe('InvalidAccessKeyId');
    const { json } = await control<{ credentials: Array<{ accessKeyId: string; kind: string }> }>(
      'GET',
      '/credentials',
    );
    expect(json.credentials.map((c) => [c.accessKeyId, c.kind])).toEqual(
      expect.arrayContaining([
        [mock.accessKeyId, 'permanent'],
        ['reader', 'permanent'],
        ['STS.start', 'sts'],
      ]),
    );
    expect(JSON.stringify(json)).not.toContain('secret');
    expect(JSON.stringify(json)).not.toContain('CAISstart');
  });
});

describe('STS temporary credentials', () => {
  it.each([false, true])('ali-oss with stsToken (V4 %s): put, get, multipart, presigned URL', async (v4) => {
    const ali = aliClient({ ...STS_AT_START, stsToken: STS_AT_START.securityToken }, v4);
    expect((await ali.put(`sts-${v4}.txt`, Buffer.from('by sts'))).res.status).toBe(200);
    expect((await ali.get(`sts-${v4}.txt`)).content.toString()).toBe('by sts');
    const big = Buffer.alloc(200 * 1024 + 5, 3);
    expect((await ali.multipartUpload(`sts-${v4}.bin`, big, { partSize: 100 * 1024 })).res.status).toBe(200);
    const url = v4 ? await ali.signatureUrlV4('GET', 60, {}, `sts-${v4}.txt`) : ali.signatureUrl(`sts-${v4}.txt`);
    expect(url).toContain(v4 ? 'x-oss-security-token=' : 'security-token=');
    const got = await fetch(url);
    expect([got.status, await got.text()]).toEqual([200, 'by sts']);
  });

  it('ali-oss without the token, or with a wrong one, is refused with OSS`s codes', async () => {
    const noToken = await rejection(aliClient(STS_AT_START).get('anything'));
    expect([noToken.code, noToken.status]).toEqual(['InvalidAccessKeyId', 403]);
    const wrong = await rejection(aliClient({ ...STS_AT_START, stsToken: 'CAISwrong' }).get('anything'));
    expect([wrong.code, wrong.status]).toEqual(['InvalidSecurityToken', 403]);
  });

  it('a credential minted through the control API works until it is expired, then SecurityTokenExpired', async () => {
    const minted = await mint({ durationSeconds: 900 });
    expect(minted.accessKeyId).toMatch(/^STS\./);
    expect(Date.parse(minted.expiration) - Date.now()).toBeGreaterThan(800_000);
    for (const signatureVersion of ['v1', 'v4'] as const) {
      const c = ossClient(minted, { signatureVersion });
      await c.putObject({ bucket: 'id-main', key: `minted-${signatureVersion}`, body: 'm' });
      const url = c.presignUrl({ bucket: 'id-main', key: `minted-${signatureVersion}` });
      expect((await fetch(url)).status).toBe(200);
    }
    const expired = await control<{ expired: boolean }>('POST', `/sts/${minted.accessKeyId}/expire`);
    expect([expired.status, expired.json.expired]).toEqual([200, true]);
    const err = (await rejection(
      ossClient(minted).headObject({ bucket: 'id-main', key: 'minted-v1' }),
    )) as OssClientError;
    expect([err.code, err.status, err.ec]).toEqual(['SecurityTokenExpired', 403, '0002-00000007']);
    const ali = await rejection(aliClient({ ...minted, stsToken: minted.securityToken }).get('minted-v1'));
    expect([ali.code, ali.status]).toEqual(['SecurityTokenExpired', 403]);
  });

  it('minted credentials carry permissions; a bad mint request is 400 with the field', async () => {
    const readOnly = await mint({ permissions: { access: 'read-only', buckets: ['id-main'] } });
    const c = ossClient(readOnly);
    await c.headObject({ bucket: 'id-main', key: 'minted-v1' });
    expect((await rejection(c.putObject({ bucket: 'id-main', key: 'no', body: '' }))).code).toBe('AccessDenied');
    const bad = await control<{ field: string }>('POST', '/sts', { permissions: { access: 'sometimes' } });
    expect([bad.status, bad.json.field]).toEqual([400, 'permissions']);
    const short = await control<{ field: string }>('POST', '/sts', { durationSeconds: 0 });
    expect(short.status).toBe(400);
    expect((await control('POST', '/sts/not-a-key/expire')).status).toBe(404);
  });

  it('OssClient takes fresh credentials from its credentialsProvider for every request', async () => {
    const first = await mint();
    let current: OssCredentials = first;
    const c = new OssClient({ endpoint: mock.endpoint, credentialsProvider: { getCredentials: () => current } });
    await c.putObject({ bucket: 'id-main', key: 'provided', body: 'one' });
    mock.control.expireSts(first.accessKeyId);
    expect((await rejection(c.getObject({ bucket: 'id-main', key: 'provided' }))).code).toBe('SecurityTokenExpired');
    current = await mint();
    expect((await c.getObject({ bucket: 'id-main', key: 'provided' })).content.toString()).toBe('one');
  });

  it('reset drops minted credentials but keeps configured ones', async () => {
    const minted = await mint();
    await mock.control.reset();
    const err = await rejection(ossClient(minted).listBuckets());
    expect(err.code).toBe('InvalidAccessKeyId');
    await ossClient({ ...STS_AT_START }).listBuckets();
  });
});
