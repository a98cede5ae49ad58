import { describe, expect, it } from 'vitest';
import { httpDate, isoBasic } from '../../protocol/dates.js';
import { OssError } from '../../protocol/errors.js';
import {
  authorizeV1,
  authorizeV4,
  canonicalRequestV4,
  presignV1,
  presignV4,
  scopeV4,
  signingKeyV4,
  signV4,
  stringToSignV4,
  type SignableRequest,
} from '../../protocol/signing.js';
import { authenticate, type AuthSettings } from './authenticate.js';
import { IdentityRegistry } from '../control/identities.js';

const creds = { accessKeyId: 'ak', accessKeySecret: 'secret-never-echoed' };
const config: AuthSettings = { auth: true, identities: new IdentityRegistry(creds) };
const now = new Date('2024-05-06T07:08:09Z');

function request(over: Partial<SignableRequest> = {}): SignableRequest {
  return {
    method: 'PUT',
    bucket: 'bucket',
    key: 'dir/a b+c.txt',
    query: [],
    headers: { 'content-type': 'text/plain', 'x-oss-meta-author': 'alice' },
    ...over,
  };
}

function v1(r: SignableRequest, date = now): SignableRequest {
  const signed = { ...r, headers: { ...r.headers, date: httpDate(date) } };
  return { ...signed, headers: { ...signed.headers, authorization: authorizeV1(signed, creds).authorization } };
}

function v4(r: SignableRequest, date = now, region = 'cn-hangzhou'): SignableRequest {
  const headers = { ...r.headers, 'x-oss-date': isoBasic(date), 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD' };
  const signed = { ...r, headers };
  return { ...signed, headers: { ...headers, authorization: authorizeV4(signed, creds, { region }).authorization } };
}

const schemeOf = (s: AuthSettings, r: SignableRequest, at: Date) => authenticate(s, r, at).scheme;

function rejection(r: SignableRequest, cfg = config): OssError {
  try {
    authenticate(cfg, r, now);
  } catch (err) {
    if (err instanceof OssError) return err;
    throw err;
  }
  throw new Error('expected the request to be refused');
}

describe('authenticate: V1 header (docs/protocol.md#v1-signature)', () => {
  it('accepts a correctly signed request, also with x-oss-date instead of Date (ali-oss)', () => {
    expect(schemeOf(config, v1(request()), now)).toBe('v1-header');
    const aliOss = { ...request(), headers: { ...request().headers, 'x-oss-date': httpDate(now) } };
    const signed = {
      ...aliOss,
      headers: { ...aliOss.headers, authorization: authorizeV1(aliOss, creds).authorization },
    };
    expect(schemeOf(config, signed, now)).toBe('v1-header');
  });

  it('answers SignatureDoesNotMatch with the string to sign and its bytes, never the secret', () => {
    const r = v1(request());
    const tampered = { ...r, headers: { ...r.headers, 'x-oss-meta-author': 'mallory' } };
    const err = rejection(tampered);
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(err.status).toBe(403);
    expect(err.extra.OSSAccessKeyId).toBe('ak');
    expect(err.extra.StringToSign).toContain('x-oss-meta-author:mallory\n/bucket/dir/a b+c.txt');
    expect(err.extra.StringToSignBytes!.startsWith('50 55 54 0A')).toBe(true);
    expect(err.extra.SignatureProvided).toBe(r.headers.authorization!.split(':')[1]);
    expect(JSON.stringify(err)).not.toContain(creds.accessKeySecret);
  });

  it('refuses an unknown access key id with InvalidAccessKeyId', () => {
    const r = v1(request());
    const other = {
      ...r,
      headers: { ...r.headers, authorization: r.headers.authorization!.replace('OSS ak:', 'OSS zz:') },
    };
    expect(rejection(other).code).toBe('InvalidAccessKeyId');
  });

  it('refuses a date more than 15 minutes off with RequestTimeTooSkewed carrying ServerTime', () => {
    const err = rejection(v1(request(), new Date(now.getTime() - 16 * 60 * 1000)));
    expect(err.code).toBe('RequestTimeTooSkewed');
    expect(err.extra.ServerTime).toBe('2024-05-06T07:08:09.000Z');
    expect(schemeOf(config, v1(request(), new Date(now.getTime() + 14 * 60 * 1000)), now)).toBe('v1-header');
  });

  it('refuses a missing or unparseable date with AccessDenied', () => {
    const r = v1(request());
    const { date: _date, ...noDate } = r.headers;
    expect(rejection({ ...r, headers: noDate }).code).toBe('AccessDenied');
    expect(rejection({ ...r, headers: { ...r.headers, date: 'yesterday' } }).code).toBe('AccessDenied');
  });

  it('refuses a malformed OSS authorization with InvalidArgument', () => {
    expect(rejection(request({ headers: { authorization: 'OSS ak' } })).code).toBe('InvalidArgument');
    expect(rejection(request({ headers: { authorization: 'Bearer x' } })).code).toBe('InvalidArgument');
  });
});

describe('authenticate: V4 header (docs/protocol.md#v4-signature)', () => {
  it('accepts a signed request with any declared region, and with additional headers', () => {
    expect(schemeOf(config, v4(request({ query: [['uploads', '']] })), now)).toBe('v4-header');
    expect(schemeOf(config, v4(request(), now, 'us-west-1'), now)).toBe('v4-header');
    const r = request({ headers: { ...request().headers, abc: 'value' } });
    const headers = { ...r.headers, 'x-oss-date': isoBasic(now) };
    const auth = authorizeV4({ ...r, headers }, creds, { region: 'cn-hangzhou', additionalHeaders: ['abc'] });
    expect(auth.authorization).toContain('AdditionalHeaders=abc');
    expect(schemeOf(config, { ...r, headers: { ...headers, authorization: auth.authorization } }, now)).toBe(
      'v4-header',
    );
  });

  it('accepts ali-oss signing an empty ordinary parameter as `name=`', () => {
    // ali-oss signs `prefix=` literally while other SDKs sign the bare name (protocol canonicalQueryV4)
    const headers = { 'x-oss-date': isoBasic(now), 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD' };
    const r = request({ method: 'GET', key: undefined, query: [['prefix', '']], headers });
    const canonical = canonicalRequestV4(r, [], { emptyValueStyle: 'ali-oss' });
    expect(canonical).toContain('\nprefix=\n');
    const day = isoBasic(now).slice(0, 8);
    const sts = stringToSignV4(isoBasic(now), scopeV4(day, 'cn-hangzhou'), canonical);
    const signature = signV4(signingKeyV4(creds.accessKeySecret, day, 'cn-hangzhou'), sts);
    const authorization = `OSS4-HMAC-SHA256 Credential=ak/${scopeV4(day, 'cn-hangzhou')},Signature=${signature}`;
    expect(schemeOf(config, { ...r, headers: { ...headers, authorization } }, now)).toBe('v4-header');
  });

  it('answers SignatureDoesNotMatch with the canonical request on a tampered key', () => {
    const r = v4(request());
    const err = rejection({ ...r, key: 'other' });
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(err.extra.CanonicalRequest).toContain('/bucket/other');
    expect(err.extra.StringToSign!.startsWith('OSS4-HMAC-SHA256\n')).toBe(true);
  });

  it('checks the access key, the clock and the header syntax', () => {
    const r = v4(request());
    const wrongKey = r.headers.authorization!.replace('Credential=ak/', 'Credential=zz/');
    expect(rejection({ ...r, headers: { ...r.headers, authorization: wrongKey } }).code).toBe('InvalidAccessKeyId');
    expect(rejection(v4(request(), new Date(now.getTime() + 20 * 60 * 1000))).code).toBe('RequestTimeTooSkewed');
    const broken = { ...r, headers: { ...r.headers, authorization: 'OSS4-HMAC-SHA256 Signature=abc' } };
    expect(rejection(broken).code).toBe('InvalidArgument');
  });
});

describe('authenticate: presigned URLs (docs/protocol.md#v1-presign, docs/protocol.md#v4-presign)', () => {
  const get = request({ method: 'GET', headers: {} });

  it('accepts a V1 presigned URL before it expires and refuses it after (AccessDenied, expiry first)', () => {
    const expires = Math.floor(now.getTime() / 1000) + 60;
    const query = presignV1(get, creds, expires);
    expect(schemeOf(config, { ...get, query }, now)).toBe('v1-presigned');
    const late = new Date((expires + 1) * 1000);
    expect(() => authenticate(config, { ...get, query }, late)).toThrow(
      expect.objectContaining({ code: 'AccessDenied' }),
    );
    const badSig = query.map(([n, v]): [string, string] => [n, n === 'Signature' ? 'AAAA' : v]);
    expect(() => authenticate(config, { ...get, query: badSig }, late)).toThrow(
      expect.objectContaining({ code: 'AccessDenied' }),
    );
    expect(rejection({ ...get, query: badSig }).code).toBe('SignatureDoesNotMatch');
  });

  it('refuses a V1 presigned URL without Expires', () => {
    const query = presignV1(get, creds, 1).filter(([n]) => n !== 'Expires');
    expect(rejection({ ...get, query }).code).toBe('AccessDenied');
  });

  it('accepts a V4 presigned URL within x-oss-expires and refuses it afterwards', () => {
    const query = presignV4(get, creds, { region: 'cn-hangzhou', date: now, expiresSeconds: 60 });
    expect(schemeOf(config, { ...get, query }, now)).toBe('v4-presigned');
    expect(() => authenticate(config, { ...get, query }, new Date(now.getTime() + 61_000))).toThrow(
      expect.objectContaining({ code: 'AccessDenied' }),
    );
  });

  it('refuses x-oss-expires outside 1..604800 and a date over 15 minutes ahead', () => {
    const tooLong = presignV4(get, creds, { region: 'cn-hangzhou', date: now, expiresSeconds: 604_801 });
    expect(rejection({ ...get, query: tooLong }).code).toBe('AccessDenied');
    const future = presignV4(get, creds, {
      region: 'cn-hangzhou',
      date: new Date(now.getTime() + 16 * 60_000),
      expiresSeconds: 60,
    });
    expect(rejection({ ...get, query: future }).code).toBe('AccessDenied');
  });

  it('refuses a tampered V4 presigned URL with SignatureDoesNotMatch', () => {
    const query = presignV4(get, creds, { region: 'cn-hangzhou', date: now, expiresSeconds: 60 });
    expect(rejection({ ...get, key: 'other', query }).code).toBe('SignatureDoesNotMatch');
  });
});

describe('authenticate: policy', () => {
  it('refuses a signature in both the header and the query with InvalidArgument', () => {
    const r = v1(request());
    const query = presignV1(r, creds, Math.floor(now.getTime() / 1000) + 60);
    expect(rejection({ ...r, query }).code).toBe('InvalidArgument');
  });

  it('lets an unsigned request through as anonymous when auth is on: the ACLs decide (operations/access.ts)', () => {
    expect(schemeOf(config, request(), now)).toBe('anonymous');
  });

  it('with auth off accepts anonymous and wrongly signed requests alike', () => {
    const off = { ...config, auth: false };
    expect(schemeOf(off, request(), now)).toBe('anonymous');
    const r = v1(request());
    expect(schemeOf(off, { ...r, key: 'tampered' }, now)).toBe('v1-header');
  });
});

describe('authenticate: several identities and STS tokens (docs/protocol.md#sts)', () => {
  const sts = { accessKeyId: 'STS.k', accessKeySecret: 'sts-secret', securityToken: 'token-1' };
  const other = { accessKeyId: 'STS.o', accessKeySecret: 'other-secret', securityToken: 'token-2' };
  const identities = new IdentityRegistry({
    ...creds,
    credentials: [{ accessKeyId: 'reader', accessKeySecret: 'reader-secret' }],
    sts: [
      { ...sts, expiration: new Date(now.getTime() + 60_000) },
      { ...other, expiration: new Date(now.getTime() - 1) },
    ],
  });
  const multi: AuthSettings = { auth: true, identities };
  const withToken = (r: SignableRequest, token: string) => ({
    ...r,
    headers: { ...r.headers, 'x-oss-security-token': token },
  });
  /** V1 header signature with `c` (the token, if any, is already among the headers and so signed) */
  const signV1 = (r: SignableRequest, c: typeof creds) => {
    const signed = { ...r, headers: { ...r.headers, date: httpDate(now) } };
    return { ...signed, headers: { ...signed.headers, authorization: authorizeV1(signed, c).authorization } };
  };
  const refused = (r: SignableRequest): OssError => rejection(r, multi);

  it('accepts every configured pair and reports who signed', () => {
    expect(authenticate(multi, v1(request()), now).identity?.accessKeyId).toBe('ak');
    const reader = { accessKeyId: 'reader', accessKeySecret: 'reader-secret' };
    expect(authenticate(multi, signV1(request(), reader), now).identity?.accessKeyId).toBe('reader');
  });

  it('accepts an STS key with its token in the header, V1 and V4', () => {
    const r = withToken(request(), sts.securityToken);
    expect(authenticate(multi, signV1(r, sts), now).identity?.kind).toBe('sts');
    const headers = { ...r.headers, 'x-oss-date': isoBasic(now) };
    const authorization = authorizeV4({ ...r, headers }, sts, { region: 'cn-hangzhou' }).authorization;
    expect(authenticate(multi, { ...r, headers: { ...headers, authorization } }, now).scheme).toBe('v4-header');
  });

  it('accepts presigned URLs carrying the token: security-token (V1) and x-oss-security-token (V4)', () => {
    const get = request({ method: 'GET', headers: {} });
    const v1Query = presignV1(get, sts, Math.floor(now.getTime() / 1000) + 60);
    expect(v1Query.map(([n]) => n)).toContain('security-token');
    expect(authenticate(multi, { ...get, query: v1Query }, now).identity?.accessKeyId).toBe('STS.k');
    const v4Query = presignV4(get, sts, { region: 'cn-hangzhou', date: now, expiresSeconds: 60 });
    expect(v4Query.map(([n]) => n)).toContain('x-oss-security-token');
    expect(authenticate(multi, { ...get, query: v4Query }, now).identity?.accessKeyId).toBe('STS.k');
  });

  it('refuses an STS key without its token with InvalidAccessKeyId', () => {
    const err = refused(signV1(request(), sts));
    expect([err.code, err.status, err.extra.OSSAccessKeyId]).toEqual(['InvalidAccessKeyId', 403, 'STS.k']);
  });

  it('refuses a token sent with a permanent or unknown key: InvalidAccessKeyId, EC 0002-00000002', () => {
    const err = refused(signV1(withToken(request(), sts.securityToken), creds));
    expect([err.code, err.ec]).toEqual(['InvalidAccessKeyId', '0002-00000002']);
  });

  it('refuses a made-up token (InvalidSecurityToken) and another credential`s (AccessKeyIdAndSecurityTokenNotMatch)', () => {
    const madeUp = refused(signV1(withToken(request(), 'CAISforged'), sts));
    expect([madeUp.code, madeUp.status, madeUp.ec]).toEqual(['InvalidSecurityToken', 403, '0002-00000006']);
    const swapped = refused(signV1(withToken(request(), other.securityToken), sts));
    expect([swapped.code, swapped.ec]).toEqual(['AccessKeyIdAndSecurityTokenNotMatch', '0002-00000004']);
  });

  it('refuses an expired credential with SecurityTokenExpired before looking at the signature', () => {
    const r = signV1(withToken(request(), other.securityToken), other);
    const err = refused(r);
    expect([err.code, err.status, err.ec]).toEqual(['SecurityTokenExpired', 403, '0002-00000007']);
    const tampered = { ...r, key: 'elsewhere' };
    expect(refused(tampered).code).toBe('SecurityTokenExpired');
    // and the token's own check comes first: a good token of an expired key is still expired at any signature
    expect(refused({ ...r, headers: { ...r.headers, authorization: 'OSS STS.o:AAAA' } }).code).toBe(
      'SecurityTokenExpired',
    );
  });

  it('checks the token before the signature, and the signature of a request under an STS key', () => {
    const second = new IdentityRegistry({
      ...creds,
      sts: [sts, { ...sts, accessKeyId: 'STS.t', securityToken: 't2' }],
    });
    const r = signV1(withToken(request(), sts.securityToken), sts);
    const swapped = { ...r, headers: { ...r.headers, 'x-oss-security-token': 't2' } };
    expect(rejection(swapped, { auth: true, identities: second }).code).toBe('AccessKeyIdAndSecurityTokenNotMatch');
    const sameKeyOtherValue = { ...r, headers: { ...r.headers, 'x-oss-meta-author': 'mallory' } };
    expect(refused(sameKeyOtherValue).code).toBe('SignatureDoesNotMatch');
  });
});
