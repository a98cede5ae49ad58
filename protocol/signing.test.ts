import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  authorizeV1,
  authorizeV4,
  canonicalizedResourceV1,
  canonicalQueryV4,
  canonicalRequestV4,
  canonicalRequestV4Bytes,
  fromWireHeader,
  isV1SubResource,
  parseV4Authorization,
  presignV1,
  presignV4,
  scopeV4,
  signingKeyV4,
  signV1,
  signV4,
  stringToSignV1,
  stringToSignV1Bytes,
  stringToSignV4,
  toWireHeader,
  type SignableRequest,
} from './signing.js';

const creds = { accessKeyId: 'ak', accessKeySecret: 'sk' };
const DOCS_SECRET = 'OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV';

describe('V1 vectors (docs/protocol.md#v1-signature)', () => {
  const date = 'Wed, 28 Dec 2022 10:27:41 GMT';
  const putHeaders = {
    'content-md5': 'eB5eJF1ptWaXm4bijSPyxw==',
    'content-type': 'text/html',
    date,
    'x-oss-date': date,
    'x-oss-meta-author': 'alice',
    'x-oss-meta-magic': 'abracadabra',
  };
  const put = (query: SignableRequest['query']): SignableRequest => ({
    method: 'PUT',
    bucket: 'examplebucket',
    key: 'nelson',
    query,
    headers: putHeaders,
  });

  it('#1 PUT object, with its string to sign', () => {
    const { authorization, stringToSign } = authorizeV1(put([]), creds);
    expect(stringToSign).toBe(
      'PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n' +
        'x-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson',
    );
    expect(authorization).toBe('OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=');
  });

  it('#2 PUT ?acl (bare sub-resource, wire form acl=)', () => {
    expect(authorizeV1(put([['acl', '']]), creds).authorization).toBe('OSS ak:/afkugFbmWDQ967j1vr6zygBLQk=');
    expect(authorizeV1(put([['acl', undefined]]), creds).authorization).toBe('OSS ak:/afkugFbmWDQ967j1vr6zygBLQk=');
  });

  const get = (query: SignableRequest['query']): SignableRequest => ({
    method: 'GET',
    bucket: 'examplebucket',
    query,
    headers: { date, 'x-oss-date': date },
  });

  it('#3 GET bucket ?resourceGroup', () => {
    expect(canonicalizedResourceV1(get([['resourceGroup', undefined]]))).toBe('/examplebucket/?resourceGroup');
    expect(authorizeV1(get([['resourceGroup', undefined]]), creds).authorization).toBe(
      'OSS ak:vkQmfuUDyi1uDi3bKt67oemssIs=',
    );
  });

  it('#4 GET bucket ?resourceGroup&acl: sorted, unsigned params ignored', () => {
    const r = get([
      ['resourceGroup', undefined],
      ['max-keys', '10'],
      ['acl', ''],
    ]);
    expect(canonicalizedResourceV1(r)).toBe('/examplebucket/?acl&resourceGroup');
    expect(authorizeV1(r, creds).authorization).toBe('OSS ak:x3E5TgOvl/i7PN618s5mEvpJDYk=');
  });

  it('#5 presign with versionId', () => {
    const r: SignableRequest = {
      method: 'GET',
      bucket: 'bucket',
      key: 'key',
      query: [['versionId', 'versionId']],
      headers: {},
    };
    expect(stringToSignV1(r, '1699807420')).toBe('GET\n\n\n1699807420\n/bucket/key?versionId=versionId');
    expect(presignV1(r, creds, 1699807420)).toEqual([
      ['OSSAccessKeyId', 'ak'],
      ['Expires', '1699807420'],
      ['Signature', 'dcLTea+Yh9ApirQ8o8dOPqtvJXQ='],
    ]);
    expect(encodeURIComponent('dcLTea+Yh9ApirQ8o8dOPqtvJXQ=')).toBe('dcLTea%2BYh9ApirQ8o8dOPqtvJXQ%3D');
  });

  it('#6 presign with STS token, raw key with +', () => {
    const r: SignableRequest = {
      method: 'GET',
      bucket: 'bucket',
      key: 'key+123',
      query: [['versionId', 'versionId']],
      headers: {},
    };
    const params = presignV1(r, { ...creds, securityToken: 'token' }, 1699808204);
    expect(params).toEqual([
      ['OSSAccessKeyId', 'ak'],
      ['Expires', '1699808204'],
      ['Signature', 'jzKYRrM5y6Br0dRFPaTGOsbrDhY='],
      ['security-token', 'token'],
    ]);
    // What a verifier sees: the full query including the presign params, which are not sub-resources.
    const seen: SignableRequest = { ...r, query: [...r.query, ...params] };
    expect(stringToSignV1(seen, '1699808204')).toBe(
      'GET\n\n\n1699808204\n/bucket/key+123?security-token=token&versionId=versionId',
    );
  });

  it('#7 docs header example', () => {
    const r: SignableRequest = {
      method: 'PUT',
      bucket: 'oss-example',
      key: 'nelson',
      query: [],
      headers: {
        'content-md5': 'ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=',
        'content-type': 'text/html',
        date: 'Thu, 17 Nov 2005 18:49:58 GMT',
        'x-oss-magic': 'abracadabra',
        'x-oss-meta-author': '  foo@bar.com ',
      },
    };
    const sts = stringToSignV1(r, 'Thu, 17 Nov 2005 18:49:58 GMT');
    expect(sts).toBe(
      'PUT\nODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\ntext/html\nThu, 17 Nov 2005 18:49:58 GMT\n' +
        'x-oss-magic:abracadabra\nx-oss-meta-author:foo@bar.com\n/oss-example/nelson',
    );
    expect(signV1(DOCS_SECRET, sts)).toBe('26NBxoKdsyly4EDv6inkoDft/yA=');
    expect(authorizeV1(r, { accessKeyId: 'x', accessKeySecret: DOCS_SECRET }).authorization).toBe(
      'OSS x:26NBxoKdsyly4EDv6inkoDft/yA=',
    );
  });

  it('#8 docs presign example', () => {
    const r: SignableRequest = { method: 'GET', bucket: 'oss-example', key: 'oss-api.pdf', query: [], headers: {} };
    expect(stringToSignV1(r, '1141889120')).toBe('GET\n\n\n1141889120\n/oss-example/oss-api.pdf');
    expect(presignV1(r, { accessKeyId: 'x', accessKeySecret: DOCS_SECRET }, 1141889120)[2]).toEqual([
      'Signature',
      'EwaNTn1erJGkimiJ9WmXgwnANLc=',
    ]);
  });
});

describe('V1 canonicalization rules (docs/protocol.md#v1-signature)', () => {
  it('names the service and the bucket with its trailing slash', () => {
    expect(canonicalizedResourceV1({ method: 'GET', query: [], headers: {} })).toBe('/');
    expect(canonicalizedResourceV1({ method: 'GET', bucket: 'b', query: [['acl', '']], headers: {} })).toBe('/b/?acl');
  });

  it('signs an empty continuation-token as a bare name and leaves listing params out', () => {
    const r: SignableRequest = {
      method: 'GET',
      bucket: 'b',
      query: [
        ['list-type', '2'],
        ['continuation-token', ''],
        ['prefix', ''],
        ['encoding-type', 'url'],
      ],
      headers: {},
    };
    expect(canonicalizedResourceV1(r)).toBe('/b/?continuation-token');
  });

  it('keeps raw decoded keys and values', () => {
    const r: SignableRequest = {
      method: 'PUT',
      bucket: 'b',
      key: 'dir/a b+ü.txt',
      query: [
        ['partNumber', '3'],
        ['uploadId', 'U1'],
        ['response-content-type', 'text/plain; a=b'],
      ],
      headers: {},
    };
    expect(canonicalizedResourceV1(r)).toBe(
      '/b/dir/a b+ü.txt?partNumber=3&response-content-type=text/plain; a=b&uploadId=U1',
    );
  });

  it('takes x-oss-date over Date and signs every x-oss-* header', () => {
    const r: SignableRequest = {
      method: 'GET',
      bucket: 'b',
      key: 'k',
      query: [],
      headers: { date: 'ignored', 'x-oss-date': 'D', 'x-oss-security-token': 'T' },
    };
    expect(authorizeV1(r, creds).stringToSign).toBe('GET\n\n\nD\nx-oss-date:D\nx-oss-security-token:T\n/b/k');
  });

  it('knows the sub-resource union', () => {
    for (const n of [
      'uploads',
      'uploadId',
      'partNumber',
      'append',
      'position',
      'security-token',
      'x-oss-traffic-limit',
      'resourcePool',
      'udf',
    ]) {
      expect(isV1SubResource(n), n).toBe(true);
    }
    for (const n of [
      'prefix',
      'marker',
      'max-keys',
      'list-type',
      'encoding-type',
      'max-parts',
      'OSSAccessKeyId',
      'Signature',
    ]) {
      expect(isV1SubResource(n), n).toBe(false);
    }
  });
});

// docs/protocol.md#v4-signature common inputs.
const V4_QUERY: SignableRequest['query'] = [
  ['param1', 'value1'],
  ['+param1', 'value3'],
  ['|param1', 'value4'],
  ['+param2', undefined],
  ['|param2', undefined],
  ['param2', undefined],
];
const V4_HEADERS = {
  'x-oss-head1': 'value',
  abc: 'value',
  zabc: 'value',
  xyz: 'value',
  'content-type': 'text/plain',
  'x-oss-content-sha256': 'UNSIGNED-PAYLOAD',
};
const v4Request = (headers: Record<string, string>, query = V4_QUERY): SignableRequest => ({
  method: 'PUT',
  bucket: 'bucket',
  key: '1234+-/123/1.txt',
  query,
  headers,
});

describe('V4 header vectors (docs/protocol.md#v4-signature)', () => {
  it('H1: canonical request, its hash, signing key and Authorization', () => {
    const r = v4Request({ ...V4_HEADERS, 'x-oss-date': '20231216T162057Z' });
    const canonical = canonicalRequestV4(r, []);
    expect(canonical).toBe(
      [
        'PUT',
        '/bucket/1234%2B-/123/1.txt',
        '%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2',
        'content-type:text/plain',
        'x-oss-content-sha256:UNSIGNED-PAYLOAD',
        'x-oss-date:20231216T162057Z',
        'x-oss-head1:value',
        '',
        '',
        'UNSIGNED-PAYLOAD',
      ].join('\n'),
    );
    expect(createHash('sha256').update(canonical).digest('hex')).toBe(
      'f4613657f1b108998e8dbd10a1aa5da621dc2c6e02c9ddec0f163664848704c4',
    );
    expect(signingKeyV4('sk', '20231216', 'cn-hangzhou').toString('hex')).toBe(
      'b412a03b134ebddd720f5167b5de6db66620ebb3b01cff4d49e3ccb09f8de97f',
    );
    const result = authorizeV4(r, creds, { region: 'cn-hangzhou' });
    expect(result.canonicalRequest).toBe(canonical);
    expect(result.stringToSign).toBe(
      'OSS4-HMAC-SHA256\n20231216T162057Z\n20231216/cn-hangzhou/oss/aliyun_v4_request\n' +
        'f4613657f1b108998e8dbd10a1aa5da621dc2c6e02c9ddec0f163664848704c4',
    );
    expect(result.authorization).toBe(
      'OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,' +
        'Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe',
    );
  });

  it('H2: with x-oss-security-token', () => {
    const r = v4Request({ ...V4_HEADERS, 'x-oss-date': '20231217T034736Z', 'x-oss-security-token': 'token' });
    expect(authorizeV4(r, creds, { region: 'cn-hangzhou' }).authorization).toBe(
      'OSS4-HMAC-SHA256 Credential=ak/20231217/cn-hangzhou/oss/aliyun_v4_request,' +
        'Signature=b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea',
    );
  });

  it('H3: AdditionalHeaders abc;zabc', () => {
    const r = v4Request({ ...V4_HEADERS, 'x-oss-date': '20231216T172512Z' });
    const result = authorizeV4(r, creds, { region: 'cn-hangzhou', additionalHeaders: ['ZAbc', 'abc'] });
    expect(result.canonicalRequest).toContain('abc:value\ncontent-type:text/plain\n');
    expect(result.canonicalRequest).toContain('x-oss-head1:value\nzabc:value\n\nabc;zabc\nUNSIGNED-PAYLOAD');
    expect(result.authorization).toBe(
      'OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=abc;zabc,' +
        'Signature=4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f',
    );
  });

  it('verifies like a server: parse, rebuild, compare', () => {
    const r = v4Request({ ...V4_HEADERS, 'x-oss-date': '20231216T172512Z' });
    const { authorization } = authorizeV4(r, creds, { region: 'cn-hangzhou', additionalHeaders: ['abc', 'zabc'] });
    const parsed = parseV4Authorization(authorization)!;
    const sts = stringToSignV4(
      '20231216T172512Z',
      scopeV4(parsed.date, parsed.region, parsed.product),
      canonicalRequestV4(r, parsed.additionalHeaders),
    );
    expect(signV4(signingKeyV4('sk', parsed.date, parsed.region, parsed.product), sts)).toBe(parsed.signature);
  });

  it('signs the raw Date string when there is no x-oss-date (Go SDK v3)', () => {
    const date = 'Sat, 16 Dec 2023 16:20:57 GMT';
    const r = v4Request({ ...V4_HEADERS, date });
    const result = authorizeV4(r, creds, { region: 'cn-hangzhou' });
    expect(result.stringToSign.split('\n').slice(1, 3)).toEqual([date, '20231216/cn-hangzhou/oss/aliyun_v4_request']);
  });

  it('refuses to sign without a date', () => {
    expect(() => authorizeV4(v4Request(V4_HEADERS), creds, { region: 'cn-hangzhou' })).toThrow();
  });
});

describe('V4 presign vectors (docs/protocol.md#v4-signature)', () => {
  const headers = {
    'x-oss-head1': 'value',
    abc: 'value',
    zabc: 'value',
    xyz: 'value',
    'content-type': 'application/octet-stream',
  };

  it('Q1: query params, canonical query and signature', () => {
    const params = presignV4(v4Request(headers), creds, {
      region: 'cn-hangzhou',
      date: new Date('2023-12-17T02:54:37Z'),
      expiresSeconds: 599,
    });
    expect(params).toEqual([
      ['x-oss-signature-version', 'OSS4-HMAC-SHA256'],
      ['x-oss-credential', 'ak/20231217/cn-hangzhou/oss/aliyun_v4_request'],
      ['x-oss-date', '20231217T025437Z'],
      ['x-oss-expires', '599'],
      ['x-oss-signature', 'a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe'],
    ]);
    expect(canonicalQueryV4([...V4_QUERY, ...params])).toBe(
      '%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2&' +
        'x-oss-credential=ak%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20231217T025437Z&' +
        'x-oss-expires=599&x-oss-signature-version=OSS4-HMAC-SHA256',
    );
  });

  it('Q2: with security token', () => {
    const params = presignV4(
      v4Request(headers),
      { ...creds, securityToken: 'token' },
      {
        region: 'cn-hangzhou',
        date: new Date('2023-12-17T03:56:28Z'),
        expiresSeconds: 599,
      },
    );
    expect(params).toContainEqual(['x-oss-security-token', 'token']);
    expect(params.at(-1)).toEqual([
      'x-oss-signature',
      '3817ac9d206cd6dfc90f1c09c00be45005602e55898f26f5ddb06d7892e1f8b5',
    ]);
  });

  it('Q3: with additional headers', () => {
    const params = presignV4(v4Request(headers), creds, {
      region: 'cn-hangzhou',
      date: new Date('2023-12-17T03:30:09Z'),
      expiresSeconds: 599,
      additionalHeaders: ['abc', 'ZAbc'],
    });
    expect(params).toContainEqual(['x-oss-additional-headers', 'abc;zabc']);
    expect(params.at(-1)).toEqual([
      'x-oss-signature',
      '6bd984bfe531afb6db1f7550983a741b103a8c58e5e14f83ea474c2322dfa2b7',
    ]);
  });
});

describe('parseV4Authorization (lenient, docs/protocol.md#v4-signature)', () => {
  const expected = {
    accessKeyId: 'ak',
    date: '20231216',
    region: 'cn-hangzhou',
    product: 'oss',
    additionalHeaders: ['abc', 'zabc'],
    signature: 'f'.repeat(64),
  };
  const cred = 'Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request';

  it.each([
    ['Go/C++', `OSS4-HMAC-SHA256 ${cred},AdditionalHeaders=abc;zabc,Signature=${'f'.repeat(64)}`],
    ['oss2', `OSS4-HMAC-SHA256 ${cred}, Signature=${'f'.repeat(64)}, AdditionalHeaders=abc;zabc`],
    ['docs', `OSS4-HMAC-SHA256 ${cred}, AdditionalHeaders=abc;zabc, Signature=${'f'.repeat(64)}`],
  ])('reads the %s form', (_who, value) => {
    expect(parseV4Authorization(value)).toEqual(expected);
  });

  it('reads a header without AdditionalHeaders', () => {
    expect(parseV4Authorization(`OSS4-HMAC-SHA256 ${cred},Signature=ab`)?.additionalHeaders).toEqual([]);
  });

  it.each([
    ['V1 scheme', 'OSS ak:sig'],
    ['no signature', `OSS4-HMAC-SHA256 ${cred}`],
    ['no credential', 'OSS4-HMAC-SHA256 Signature=ab'],
    ['short scope', 'OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss,Signature=ab'],
    ['bad terminator', 'OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aws4_request,Signature=ab'],
    ['bad date', 'OSS4-HMAC-SHA256 Credential=ak/2023-12-16/cn-hangzhou/oss/aliyun_v4_request,Signature=ab'],
    ['empty', ''],
  ])('rejects %s', (_name, value) => {
    expect(parseV4Authorization(value)).toBeUndefined();
  });
});

describe('canonicalQueryV4 empty values', () => {
  it('signs empty values bare by default, and ali-oss style on request', () => {
    const q: SignableRequest['query'] = [
      ['uploads', ''],
      ['prefix', ''],
      ['max-keys', '10'],
    ];
    expect(canonicalQueryV4(q)).toBe('max-keys=10&prefix&uploads');
    expect(canonicalQueryV4(q, 'ali-oss')).toBe('max-keys=10&prefix=&uploads');
  });

  it('encodes names and values with / encoded, and the canonical URI keeps the bucket for the service and bucket', () => {
    expect(canonicalQueryV4([['a b', 'x/y ü']])).toBe('a%20b=x%2Fy%20%C3%BC');
    const svc = canonicalRequestV4({ method: 'get', query: [], headers: {} }, []);
    expect(svc.split('\n').slice(0, 2)).toEqual(['GET', '/']);
    const bucket = canonicalRequestV4({ method: 'GET', bucket: 'b', query: [], headers: {} }, []);
    expect(bucket.split('\n')[1]).toBe('/b/');
  });
});

describe('non-ASCII header values are signed as their wire bytes', () => {
  // ali-oss with headerEncoding 'latin1' holds the UTF-8 bytes one per character and hashes
  // Buffer.from(canonicalString, 'latin1') (lib/common/signUtils.js computeSignature): the same bytes node:http sends.
  const wire = toWireHeader('阿达 à');
  const date = 'Wed, 28 Dec 2022 10:27:41 GMT';
  const r: SignableRequest = {
    method: 'PUT',
    bucket: 'b',
    key: '中文/k',
    query: [],
    headers: { date, 'x-oss-meta-a': `${wire} `, 'content-type': 'text/plain' },
  };

  it('V1: the string to sign holds each byte once, and the trim keeps the 0xA0 that ends `à`', () => {
    const bytes = Buffer.concat([
      Buffer.from(`PUT\n\ntext/plain\n${date}\nx-oss-meta-a:`),
      Buffer.from('阿达 à'),
      Buffer.from('\n/b/中文/k'),
    ]);
    expect(stringToSignV1Bytes(r, date)).toEqual(bytes);
    expect(stringToSignV1(r, date)).toBe(`PUT\n\ntext/plain\n${date}\nx-oss-meta-a:阿达 à\n/b/中文/k`);
    const expected = createHmac('sha1', 'sk').update(bytes).digest('base64');
    expect(authorizeV1(r, creds).authorization).toBe(`OSS ak:${expected}`);
  });

  it('V4: the canonical request hashes the same bytes', () => {
    const headers = { ...r.headers, 'x-oss-date': '20231216T100000Z', 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD' };
    const bytes = canonicalRequestV4Bytes({ ...r, headers }, []);
    expect(bytes.includes(Buffer.from('x-oss-meta-a:阿达 à\n'))).toBe(true);
    const sts = stringToSignV4('20231216T100000Z', scopeV4('20231216', 'cn-hangzhou'), bytes);
    expect(sts.split('\n')[3]).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('toWireHeader and fromWireHeader round-trip text, and leave bytes that are not UTF-8 alone', () => {
    expect(fromWireHeader(toWireHeader('阿达的大多'))).toBe('阿达的大多');
    expect(fromWireHeader('plain')).toBe('plain');
    expect(fromWireHeader('\xe9t\xe9')).toBe('\xe9t\xe9');
  });
});
