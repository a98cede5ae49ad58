// PostObject (the browser form upload) against a listening mock, on both stores: forms signed with ali-oss's own
// helpers (calculatePostSignature for V1, signPostObjectPolicyV4 for V4), sent as multipart/form-data by Node's
// fetch the way a browser sends them, then read back with ali-oss; the answers (status, headers, PostResponse XML,
// error envelopes and ECs) checked on the wire.
import OSS from 'ali-oss';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXml } from '../protocol/xml.js';
import { startMockOss, type MockOssHandle } from './index.js';

const require = createRequire(import.meta.url);
const { getCredential } = require('ali-oss/lib/common/signUtils') as {
  getCredential(date: string, region: string, accessKeyId: string): string;
};

/** The calls ali-oss has and @types/ali-oss leaves out. */
type PostSigning = OSS & {
  calculatePostSignature(policy: object | string): { OSSAccessKeyId: string; Signature: string; policy: string };
  signPostObjectPolicyV4(policy: object | string, date: Date): string;
};

const STORES = [{ store: 'memory' }, { store: 'file' }] as const;

function isoBasic(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  error?: { code: string; message: string; ec: string };
}

async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text();
  const answer: Answer = { status: res.status, headers: res.headers, text };
  if (res.status >= 400 && text.startsWith('<?xml')) {
    const e = parseXml(text).Error as Record<string, string>;
    answer.error = { code: e.Code!, message: e.Message!, ec: e.EC! };
  }
  return answer;
}

describe.each(STORES)('PostObject on the $store store', ({ store }) => {
  let mock: MockOssHandle;
  let dir: string | undefined;
  let client: PostSigning;
  const bucket = `post-${store}`;
  let url: string;

  beforeAll(async () => {
    dir = store === 'file' ? await mkdtemp(join(tmpdir(), 'oss-mock-post-')) : undefined;
    mock = await startMockOss(dir === undefined ? {} : { dataDir: dir });
    client = new OSS({
      endpoint: mock.endpoint,
      region: 'oss-cn-hangzhou',
      accessKeyId: mock.accessKeyId,
      accessKeySecret: mock.accessKeySecret,
      bucket,
    } as OSS.Options) as PostSigning;
    await client.putBucket(bucket);
    url = `${mock.endpoint}/${bucket}/`;
  });
  afterAll(async () => {
    await mock.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

  /** A V1 form: the fields (in order), the policy and signature from ali-oss, the file last. */
  function v1Form(fields: Record<string, string>, policy: object, file: Blob, filename = 'hello.txt'): FormData {
    const signed = client.calculatePostSignature(policy);
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('OSSAccessKeyId', signed.OSSAccessKeyId);
    form.append('policy', signed.policy);
    form.append('Signature', signed.Signature);
    form.append('file', file, filename);
    return form;
  }

  async function post(form: FormData, init: RequestInit = {}): Promise<Answer> {
    return answerOf(await fetch(url, { method: 'POST', body: form, ...init }));
  }

  it('V1: a form signed by calculatePostSignature uploads; 204 by default; ali-oss reads back bytes and metadata', async () => {
    const policy = { expiration: inAnHour(), conditions: [['starts-with', '$key', 'uploads/'], { bucket }] };
    const form = v1Form(
      {
        key: 'uploads/${filename}',
        'x-oss-meta-owner': 'alice',
        'Cache-Control': 'no-cache',
        'Content-Disposition': 'attachment; filename="x.txt"',
      },
      policy,
      new Blob(['hello form'], { type: 'text/plain' }),
    );
    const a = await post(form);
    expect(a.status).toBe(204);
    expect(a.headers.get('etag')).toMatch(/^"[0-9A-F]{32}"$/);
    const got = await client.get('uploads/hello.txt');
    expect(Buffer.from(got.content as Buffer).toString()).toBe('hello form');
    const head = await client.head('uploads/hello.txt');
    const headers = (head.res as { headers: Record<string, string> }).headers;
    expect(headers['x-oss-meta-owner']).toBe('alice');
    expect(headers['cache-control']).toBe('no-cache');
    expect(headers['content-disposition']).toBe('attachment; filename="x.txt"');
    expect(headers['content-type']).toBe('text/plain');
    expect(headers.etag).toBe(a.headers.get('etag'));
  });

  it('V4: a form signed by signPostObjectPolicyV4 uploads, and 201 answers the PostResponse XML', async () => {
    const now = new Date();
    const date = isoBasic(now);
    const credential = getCredential(date.slice(0, 8), 'cn-hangzhou', mock.accessKeyId);
    const policy = {
      expiration: inAnHour(),
      conditions: [
        { bucket },
        { 'x-oss-credential': credential },
        { 'x-oss-signature-version': 'OSS4-HMAC-SHA256' },
        { 'x-oss-date': date },
        ['eq', '$success_action_status', '201'],
        ['content-length-range', 1, 1024],
      ],
    };
    const form = new FormData();
    form.append('key', 'v4/object.bin');
    form.append('success_action_status', '201');
    form.append('x-oss-signature-version', 'OSS4-HMAC-SHA256');
    form.append('x-oss-credential', credential);
    form.append('x-oss-date', date);
    form.append('policy', Buffer.from(JSON.stringify(policy)).toString('base64'));
    form.append('x-oss-signature', client.signPostObjectPolicyV4(policy, now));
    form.append('x-oss-content-type', 'image/png');
    form.append('file', new Blob([Buffer.alloc(100, 7)], { type: 'application/octet-stream' }), 'a.bin');
    const a = await post(form);
    expect(a.status).toBe(201);
    expect(a.headers.get('content-type')).toBe('application/xml');
    const body = parseXml(a.text).PostResponse as Record<string, string>;
    expect(body).toEqual({
      Bucket: bucket,
      Location: `${mock.endpoint}/${bucket}/v4/object.bin`,
      Key: 'v4/object.bin',
      ETag: a.headers.get('etag'),
    });
    const head = await client.head('v4/object.bin');
    expect((head.res as { headers: Record<string, string> }).headers['content-type']).toBe('image/png');
    expect((head.res as { headers: Record<string, string> }).headers['content-length']).toBe('100');
  });

  it('success_action_status 200 answers an empty 200; success_action_redirect a 303 to it with bucket, key and etag', async () => {
    const policy = { expiration: inAnHour(), conditions: [] };
    const ok = await post(v1Form({ key: 'status-200', success_action_status: '200' }, policy, new Blob(['x'])));
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('');
    const redirected = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      body: v1Form(
        { key: 'redirected', success_action_redirect: 'http://app.example/done?x=1' },
        policy,
        new Blob(['y']),
      ),
    });
    expect(redirected.status).toBe(303);
    const location = new URL(redirected.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('http://app.example/done');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      x: '1',
      bucket,
      key: 'redirected',
      etag: redirected.headers.get('etag'),
    });
  });

  it('errors: expired policy, failed condition, content-length-range, wrong signature, unknown key id', async () => {
    const file = new Blob(['0123456789']);
    const expired = await post(v1Form({ key: 'e' }, { expiration: '2020-01-01T00:00:00.000Z', conditions: [] }, file));
    expect(expired.status).toBe(403);
    expect(expired.error).toEqual({
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy expired.',
      ec: '0006-00000213',
    });
    const condition = await post(
      v1Form({ key: 'other/k' }, { expiration: inAnHour(), conditions: [['starts-with', '$key', 'user/']] }, file),
    );
    expect(condition.status).toBe(403);
    expect(condition.error).toEqual({
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy Condition failed: ["starts-with","$key","user/"]',
      ec: '0006-00000201',
    });
    const range = (min: number, max: number) => ({
      expiration: inAnHour(),
      conditions: [['content-length-range', min, max]],
    });
    const big = await post(v1Form({ key: 'big' }, range(1, 5), file));
    expect([big.status, big.error?.code, big.error?.ec]).toEqual([400, 'EntityTooLarge', '0006-00000003']);
    const small = await post(v1Form({ key: 'small' }, range(11, 100), file));
    expect([small.status, small.error?.code, small.error?.ec]).toEqual([400, 'EntityTooSmall', '0006-00000004']);
    const form = v1Form({ key: 'badsig' }, range(0, 100), file);
    form.set('Signature', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    const badSignature = await post(form);
    expect(badSignature.status).toBe(403);
    expect(badSignature.error?.code).toBe('AccessDenied');
    expect(badSignature.error?.message).toMatch(/^SignatureDoesNotMatch The request signature we calculated/);
    const other = v1Form({ key: 'badkey' }, range(0, 100), file);
    other.set('OSSAccessKeyId', 'someone-else');
    expect((await post(other)).error?.code).toBe('InvalidAccessKeyId');
    for (const key of ['e', 'other/k', 'big', 'small', 'badsig', 'badkey']) {
      await expect(client.head(key)).rejects.toMatchObject({ status: 404 });
    }
  });

  it('errors: the policy document itself, each with the EC of its cause', async () => {
    const cases: Array<[unknown, string]> = [
      ['not json', '0006-00000204'],
      [{ conditions: [] }, '0006-00000208'],
      [{ expiration: 123, conditions: [] }, '0006-00000210'],
      [{ expiration: inAnHour() }, '0006-00000207'],
      [{ expiration: inAnHour(), conditions: 123 }, '0006-00000214'],
      [{ expiration: inAnHour(), conditions: [123] }, '0006-00000222'],
      [{ expiration: inAnHour(), conditions: [['content-length-range', 20, 10]] }, '0006-00000219'],
      [{ expiration: inAnHour(), conditions: [['content-length-range', 1, 'test']] }, '0006-00000221'],
      [{ expiration: inAnHour(), conditions: [['not-in', '$cache-control', 'no-cache']] }, '0006-00000224'],
      [{ expiration: inAnHour(), conditions: [['starts-with', '$key', 'a', 'b']] }, '0006-00000218'],
      [{ test: 1, expiration: inAnHour(), conditions: [] }, '0006-00000206'],
    ];
    for (const [policy, ec] of cases) {
      const text = typeof policy === 'string' ? policy : JSON.stringify(policy);
      const form = new FormData();
      form.append('key', 'p');
      form.append('OSSAccessKeyId', mock.accessKeyId);
      // signed as ali-oss's calculatePostSignature signs, over the exact base64 sent (which need not hold JSON)
      const base64 = Buffer.from(text).toString('base64');
      form.append('policy', base64);
      form.append('Signature', signV1(mock.accessKeySecret, base64));
      form.append('file', new Blob(['x']), 'x');
      const a = await post(form);
      expect([a.status, a.error?.code, a.error?.ec], JSON.stringify(policy)).toEqual([
        400,
        'InvalidPolicyDocument',
        ec,
      ]);
    }
  });

  it('errors: not a form, the file missing or not last, a signature field alone', async () => {
    const notForm = await answerOf(
      await fetch(url, {
        method: 'POST',
        body: 'key=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect([notForm.status, notForm.error?.code]).toEqual([400, 'RequestIsNotMultiPartContent']);
    const policy = { expiration: inAnHour(), conditions: [] };
    const noFile = v1Form({ key: 'nofile' }, policy, new Blob(['x']));
    noFile.delete('file');
    const missing = await post(noFile);
    expect([missing.status, missing.error?.code, missing.error?.ec]).toEqual([
      400,
      'MalformedPOSTRequest',
      '0006-00000107',
    ]);
    const late = v1Form({ key: 'late' }, policy, new Blob(['x']));
    late.append('submit', 'Upload to OSS');
    const notLast = await post(late);
    expect([notLast.status, notLast.error?.code, notLast.error?.ec]).toEqual([
      400,
      'MalformedPOSTRequest',
      '0006-00000103',
    ]);
    await expect(client.head('late')).rejects.toMatchObject({ status: 404 });
    const alone = new FormData();
    alone.append('key', 'alone');
    alone.append('Signature', 'x');
    alone.append('file', new Blob(['x']), 'x');
    const a = await post(alone);
    expect([a.status, a.error?.code]).toEqual([400, 'InvalidArgument']);
  });

  it('an unsigned form: AccessDenied in a private bucket, accepted in a public-read-write one', async () => {
    const form = () => {
      const f = new FormData();
      f.append('key', 'anonymous.txt');
      f.append('file', new Blob(['anon']), 'a.txt');
      return f;
    };
    const denied = await post(form());
    expect([denied.status, denied.error?.code]).toEqual([403, 'AccessDenied']);
    await client.putBucketACL(bucket, 'public-read-write');
    try {
      expect((await post(form())).status).toBe(204);
    } finally {
      await client.putBucketACL(bucket, 'private');
    }
    expect(Buffer.from((await client.get('anonymous.txt')).content as Buffer).toString()).toBe('anon');
  });
});

function signV1(secret: string, base64: string): string {
  return createHmac('sha1', secret).update(base64).digest('base64');
}
