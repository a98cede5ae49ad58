import { describe, expect, it } from 'vitest';
import {
  decodePath,
  isValidBucketName,
  objectKeyError,
  ossUrlEncode,
  resolveAddress,
  uriEncode,
} from './addressing.js';

describe('resolveAddress: every client form of docs/protocol.md#addressing and docs/protocol.md#cpp-sdk', () => {
  it.each([
    // C++ / Go / oss2 path style on an IP endpoint
    [
      'C++ object, path style',
      '127.0.0.1:9000',
      '/bucket/dir/key.txt',
      { style: 'path', bucket: 'bucket', key: 'dir/key.txt' },
    ],
    ['C++ bucket, path style', '127.0.0.1:9000', '/bucket/', { style: 'path', bucket: 'bucket' }],
    ['bucket without slash', '127.0.0.1:9000', '/bucket', { style: 'path', bucket: 'bucket' }],
    ['C++ ListBuckets //', '127.0.0.1:9000', '//', { style: 'path' }],
    ['ListBuckets /', '127.0.0.1:9000', '/', { style: 'path' }],
    ['oss2 localhost path style', 'localhost:9000', '/bucket/key', { style: 'path', bucket: 'bucket', key: 'key' }],
    ['IPv6 literal', '[::1]:9000', '/bucket/key', { style: 'path', bucket: 'bucket', key: 'key' }],
    ['ali-oss sldEnable', 'localhost:9000', '/bucket/a/b', { style: 'path', bucket: 'bucket', key: 'a/b' }],
    // ali-oss IP endpoint: bucket only in the Host, no port
    [
      'ali-oss IP endpoint object',
      'bucket.oss-cn-hangzhou.aliyuncs.com',
      '/key',
      { style: 'virtual', bucket: 'bucket', key: 'key' },
    ],
    ['ali-oss IP endpoint bucket', 'bucket.oss-cn-hangzhou.aliyuncs.com', '/', { style: 'virtual', bucket: 'bucket' }],
    ['ali-oss ListBuckets leading dot', '.oss-cn-hangzhou.aliyuncs.com', '/', { style: 'virtual' }],
    [
      'internal host',
      'bucket.oss-cn-shanghai-internal.aliyuncs.com',
      '/k',
      { style: 'virtual', bucket: 'bucket', key: 'k' },
    ],
    ['regional endpoint itself', 'oss-cn-hangzhou.aliyuncs.com', '/', { style: 'path' }],
    [
      'regional endpoint, path style',
      'oss-cn-hangzhou.aliyuncs.com:80',
      '/b/k',
      { style: 'path', bucket: 'b', key: 'k' },
    ],
    // C++ against http://localhost:PORT
    [
      'C++ <bucket>.localhost',
      'bucket.localhost:9000',
      '/dir/key',
      { style: 'virtual', bucket: 'bucket', key: 'dir/key' },
    ],
    ['uppercase host', 'Bucket.LOCALHOST:9000', '/k', { style: 'virtual', bucket: 'bucket', key: 'k' }],
    // unknown hosts never invent a bucket
    ['unknown host', 'oss-mock:9000', '/bucket/key', { style: 'path', bucket: 'bucket', key: 'key' }],
    ['control API', '127.0.0.1:9000', '/_mock/health', { style: 'path', bucket: '_mock', key: 'health' }],
  ])('%s', (_name, host, path, expected) => {
    expect(resolveAddress({ host, path })).toEqual(expected);
  });

  it('uses a configured base domain for both styles', () => {
    const baseDomains = ['oss.test'];
    expect(resolveAddress({ host: 'bucket.oss.test:9000', path: '/key', baseDomains })).toEqual({
      style: 'virtual',
      bucket: 'bucket',
      key: 'key',
    });
    expect(resolveAddress({ host: 'oss.test:9000', path: '/bucket/key', baseDomains })).toEqual({
      style: 'path',
      bucket: 'bucket',
      key: 'key',
    });
    expect(resolveAddress({ host: 'bucket.oss.test', path: '/key' })).toEqual({
      style: 'path',
      bucket: 'key',
    });
  });

  it('decodes %2F and / alike, %20 as space, and keeps + literal', () => {
    const host = 'bucket.oss-cn-hangzhou.aliyuncs.com';
    expect(resolveAddress({ host, path: '/test%2FAK.txt' }).key).toBe('test/AK.txt');
    expect(resolveAddress({ host, path: '/test/AK.txt' }).key).toBe('test/AK.txt');
    expect(resolveAddress({ host, path: '/a%20b+c%2Bd' }).key).toBe('a b+c+d');
    expect(resolveAddress({ host: '127.0.0.1', path: '/b/1234%2B-%2F123%2F1.txt' }).key).toBe('1234+-/123/1.txt');
    expect(resolveAddress({ host: '127.0.0.1', path: '/b/%E4%BD%A0%E5%A5%BD' }).key).toBe('你好');
  });

  it('keeps a double slash after the bucket as part of the key (then rejected as a key)', () => {
    expect(resolveAddress({ host: '127.0.0.1', path: '/b//k' })).toEqual({ style: 'path', bucket: 'b', key: '/k' });
  });
});

describe('decodePath', () => {
  it('leaves invalid escapes as written', () => {
    expect(decodePath('/a%zz%2')).toBe('/a%zz%2');
    expect(decodePath('/ü%20x')).toBe('/ü x');
  });

  it('refuses escapes that are not UTF-8 instead of turning them into U+FFFD', () => {
    expect(decodePath('/b/a%FF')).toBeUndefined();
    expect(decodePath('/b/a%C3')).toBeUndefined();
    expect(decodePath('/b/%C3%A9')).toBe('/b/é');
  });
});

describe('isValidBucketName (docs/protocol.md#limits)', () => {
  it.each(['abc', 'my-bucket-1', '0ab', 'a'.repeat(63)])('accepts %s', (name) => {
    expect(isValidBucketName(name)).toBe(true);
  });
  it.each(['ab', 'a'.repeat(64), 'Abc', 'a_b', '-ab', 'ab-', 'a.b', '', '_mock', 'a b'])('rejects %j', (name) => {
    expect(isValidBucketName(name)).toBe(false);
  });
});

describe('objectKeyError (docs/protocol.md#limits, docs/protocol.md#error-catalogue)', () => {
  it('accepts ordinary keys up to 1023 bytes', () => {
    expect(objectKeyError('a/b c+d')).toBeUndefined();
    expect(objectKeyError('x'.repeat(1023))).toBeUndefined();
    expect(objectKeyError('é'.repeat(511))).toBeUndefined(); // 1022 bytes
  });

  it.each([
    ['empty', '', 'The Object name can not be empty.'],
    ['1024 bytes', 'x'.repeat(1024), 'The Length of Object name must be less than 1024.'],
    ['1024 bytes of UTF-8', 'é'.repeat(512), 'The Length of Object name must be less than 1024.'],
    ['leading backslash', '\\key', 'The specified object is not valid.'],
    ['leading slash', '/key', 'The specified object is not valid.'],
  ])('rejects %s', (_name, key, message) => {
    const err = objectKeyError(key);
    expect(err?.code).toBe('InvalidObjectName');
    expect(err?.status).toBe(400);
    expect(err?.message).toBe(message);
  });
});

describe('ossUrlEncode (encoding-type=url, docs/protocol.md#listing)', () => {
  it('encodes space as %20, + as %2B, keeps / and unreserved, encodes UTF-8 bytes uppercase', () => {
    expect(ossUrlEncode('fun/a b+c.jpg')).toBe('fun/a%20b%2Bc.jpg');
    expect(ossUrlEncode("A-Z_a.z~0!*'()&=?#%")).toBe('A-Z_a.z~0%21%2A%27%28%29%26%3D%3F%23%25');
    expect(ossUrlEncode('你好/é')).toBe('%E4%BD%A0%E5%A5%BD/%C3%A9');
    expect(ossUrlEncode('😀\n')).toBe('%F0%9F%98%80%0A');
  });

  it('round-trips through decodeURIComponent', () => {
    const s = 'dir/ü ß+%&?#😀';
    expect(decodeURIComponent(ossUrlEncode(s))).toBe(s);
  });
});

describe('uriEncode', () => {
  it('encodes / unless asked to keep it', () => {
    expect(uriEncode('/bucket/1234+-/123/1.txt', true)).toBe('/bucket/1234%2B-/123/1.txt');
    expect(uriEncode('ak/20231217/cn-hangzhou', false)).toBe('ak%2F20231217%2Fcn-hangzhou');
  });
});
