// PostObject signed by other identities than the mock's own pair (docs/protocol.md#identities): STS credentials,
// whose form carries its token in the x-oss-security-token field (https://www.alibabacloud.com/help/en/oss/developer-reference/postobject),
// and key pairs with permissions. The form is signed by ali-oss configured with those credentials, sent as
// multipart/form-data by Node's fetch against a listening mock, and the answers are checked on the wire.
import OSS from 'ali-oss';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXml } from '../protocol/xml.js';
import { startMockOss, type MintedSts, type MockOssHandle } from './index.js';

const require = createRequire(import.meta.url);
const { getCredential } = require('ali-oss/lib/common/signUtils') as {
  getCredential(date: string, region: string, accessKeyId: string): string;
};

type PostSigning = OSS & {
  calculatePostSignature(policy: object | string): { OSSAccessKeyId: string; Signature: string; policy: string };
  signPostObjectPolicyV4(policy: object | string, date: Date): string;
};

const READER = { accessKeyId: 'reader', accessKeySecret: 'reader-secret' };
const UPLOADER = { accessKeyId: 'uploader', accessKeySecret: 'uploader-secret' };
const STS_AT_START = { accessKeyId: 'STS.form', accessKeySecret: 'form-secret', securityToken: 'CAISform' };
const BUCKET = 'form-main';

let mock: MockOssHandle;
let owner: OSS;

beforeAll(async () => {
  mock = await startMockOss({
    credentials: [READER, UPLOADER],
    sts: [STS_AT_START],
    permissions: { reader: { access: 'read-only' }, uploader: { access: 'write-only', buckets: ['form-*'] } },
  });
  owner = aliClient({ accessKeyId: mock.accessKeyId, accessKeySecret: mock.accessKeySecret });
  await owner.putBucket(BUCKET);
  await owner.putBucket('elsewhere');
});
afterAll(async () => {
  await mock.close();
});

function aliClient(c: { accessKeyId: string; accessKeySecret: string; stsToken?: string }): PostSigning {
  return new OSS({
    endpoint: mock.endpoint,
    region: 'oss-cn-hangzhou',
    bucket: BUCKET,
    ...c,
    ...(c.stsToken === undefined ? {} : { refreshSTSToken: async () => ({ ...c, stsToken: c.stsToken }) }),
  } as OSS.Options) as PostSigning;
}

interface Answer {
  status: number;
  error?: { code: string; ec: string; authAction?: string };
}

async function post(form: FormData, bucket = BUCKET): Promise<Answer> {
  const res = await fetch(`${mock.endpoint}/${bucket}/`, { method: 'POST', body: form });
  const text = await res.text();
  if (res.status < 400) return { status: res.status };
  const e = parseXml(text).Error as Record<string, string>;
  return {
    status: res.status,
    error: { code: e.Code!, ec: e.EC!, ...(e.AuthAction === undefined ? {} : { authAction: e.AuthAction }) },
  };
}

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

interface Signer {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** A V1 form as a browser page would build it from calculatePostSignature, with the STS token as its own field. */
function v1Form(who: Signer, key: string, body: string): FormData {
  const c = aliClient({
    accessKeyId: who.accessKeyId,
    accessKeySecret: who.accessKeySecret,
    ...(who.securityToken === undefined ? {} : { stsToken: who.securityToken }),
  });
  const signed = c.calculatePostSignature({ expiration: inAnHour(), conditions: [['eq', '$key', key]] });
  const form = new FormData();
  form.append('key', key);
  form.append('OSSAccessKeyId', signed.OSSAccessKeyId);
  form.append('policy', signed.policy);
  form.append('Signature', signed.Signature);
  if (who.securityToken !== undefined) form.append('x-oss-security-token', who.securityToken);
  form.append('file', new Blob([body]), 'f.txt');
  return form;
}

/** A V4 form signed by signPostObjectPolicyV4; the token is a field the policy names too. */
function v4Form(who: Signer, key: string, body: string): FormData {
  const c = aliClient({
    accessKeyId: who.accessKeyId,
    accessKeySecret: who.accessKeySecret,
    ...(who.securityToken === undefined ? {} : { stsToken: who.securityToken }),
  });
  const now = new Date();
  const date = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  const credential = getCredential(date.slice(0, 8), 'cn-hangzhou', who.accessKeyId);
  const conditions: unknown[] = [
    { bucket: BUCKET },
    { 'x-oss-signature-version': 'OSS4-HMAC-SHA256' },
    { 'x-oss-credential': credential },
    { 'x-oss-date': date },
  ];
  if (who.securityToken !== undefined) conditions.push({ 'x-oss-security-token': who.securityToken });
  const policy = { expiration: inAnHour(), conditions };
  const form = new FormData();
  form.append('key', key);
  form.append('x-oss-signature-version', 'OSS4-HMAC-SHA256');
  form.append('x-oss-credential', credential);
  form.append('x-oss-date', date);
  if (who.securityToken !== undefined) form.append('x-oss-security-token', who.securityToken);
  form.append('policy', Buffer.from(JSON.stringify(policy)).toString('base64'));
  form.append('x-oss-signature', c.signPostObjectPolicyV4(policy, now));
  form.append('file', new Blob([body]), 'f.txt');
  return form;
}

async function content(key: string): Promise<string | undefined> {
  try {
    return Buffer.from((await owner.get(key)).content as Buffer).toString();
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
}

describe('PostObject with STS credentials', () => {
  it.each([
    ['V1', v1Form],
    ['V4', v4Form],
  ])('%s: a form signed with an STS credential and carrying its token uploads', async (name, build) => {
    const key = `sts-${name}.txt`;
    expect((await post(build(STS_AT_START, key, `by sts ${name}`))).status).toBe(204);
    expect(await content(key)).toBe(`by sts ${name}`);
  });

  it('without its token the STS key id is unknown; a wrong token is InvalidSecurityToken; nothing is stored', async () => {
    const noToken = v1Form(STS_AT_START, 'sts-no-token', 'x');
    noToken.delete('x-oss-security-token');
    expect(await post(noToken)).toMatchObject({ status: 403, error: { code: 'InvalidAccessKeyId' } });
    const wrong = v4Form(STS_AT_START, 'sts-wrong-token', 'x');
    wrong.set('x-oss-security-token', 'CAISwrong');
    expect(await post(wrong)).toMatchObject({ status: 403, error: { code: 'InvalidSecurityToken' } });
    expect(await content('sts-no-token')).toBeUndefined();
    expect(await content('sts-wrong-token')).toBeUndefined();
  });

  it('a minted credential uploads until it is expired, then SecurityTokenExpired (0002-00000007)', async () => {
    const res = await fetch(`${mock.endpoint}/_mock/sts`, { method: 'POST', body: '{}' });
    const minted = (await res.json()) as MintedSts;
    expect((await post(v4Form(minted, 'minted.txt', 'minted'))).status).toBe(204);
    expect(await content('minted.txt')).toBe('minted');
    await fetch(`${mock.endpoint}/_mock/sts/${minted.accessKeyId}/expire`, { method: 'POST' });
    expect(await post(v1Form(minted, 'minted-late.txt', 'late'))).toMatchObject({
      status: 403,
      error: { code: 'SecurityTokenExpired', ec: '0002-00000007' },
    });
    expect(await content('minted-late.txt')).toBeUndefined();
  });

  it("a minted credential's permissions apply to its forms", async () => {
    const res = await fetch(`${mock.endpoint}/_mock/sts`, {
      method: 'POST',
      body: JSON.stringify({ permissions: { access: 'read-only' } }),
      headers: { 'content-type': 'application/json' },
    });
    const readOnly = (await res.json()) as MintedSts;
    expect(await post(v1Form(readOnly, 'ro-sts.txt', 'no'))).toMatchObject({
      status: 403,
      error: { code: 'AccessDenied', authAction: 'oss:PutObject' },
    });
    expect(await content('ro-sts.txt')).toBeUndefined();
  });
});

describe('PostObject and key-pair permissions', () => {
  it('a read-only pair is AccessDenied naming oss:PutObject; a write-only pair uploads in its buckets only', async () => {
    for (const build of [v1Form, v4Form]) {
      expect(await post(build(READER, 'reader.txt', 'no'))).toMatchObject({
        status: 403,
        error: { code: 'AccessDenied', ec: '0003-00000001', authAction: 'oss:PutObject' },
      });
    }
    expect(await content('reader.txt')).toBeUndefined();
    expect((await post(v1Form(UPLOADER, 'uploader.txt', 'up'))).status).toBe(204);
    expect(await content('uploader.txt')).toBe('up');
    const form = v1Form(UPLOADER, 'outside.txt', 'no');
    expect(await post(form, 'elsewhere')).toMatchObject({ status: 403, error: { code: 'AccessDenied' } });
    const elsewhere = new OSS({
      endpoint: mock.endpoint,
      region: 'oss-cn-hangzhou',
      bucket: 'elsewhere',
      accessKeyId: mock.accessKeyId,
      accessKeySecret: mock.accessKeySecret,
    } as OSS.Options);
    await expect(elsewhere.head('outside.txt')).rejects.toMatchObject({ status: 404 });
  });
});
