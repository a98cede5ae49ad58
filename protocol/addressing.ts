// Finding the bucket and key of a request, for every client form of docs/protocol.md#addressing and
// docs/protocol.md#cpp-sdk.
import { isIP } from 'node:net';
import { CAUSE_EC, OssError } from './errors.js';

export interface Address {
  style: 'path' | 'virtual';
  /** undefined: a service-level request (ListBuckets). */
  bucket?: string;
  /** undefined: a bucket-level request. */
  key?: string;
}

/**
 * Hosts that are the endpoint itself rather than `<bucket>.<endpoint>`: IP literals and `localhost` (Go, oss2 and C++
 * switch to path style for these, docs/protocol.md#addressing), the OSS regional hosts, and the configured base
 * domains.
 */
const OSS_ENDPOINT_HOST = /^oss-[a-z0-9-]+\.aliyuncs\.com$/;

function isEndpointHost(host: string, baseDomains: readonly string[]): boolean {
  return isIP(host) !== 0 || host === 'localhost' || OSS_ENDPOINT_HOST.test(host) || baseDomains.includes(host);
}

/** Host without port or IPv6 brackets, lowercased. */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']'));
  const colon = h.indexOf(':');
  // A bare IPv6 literal has several colons and no port.
  if (colon >= 0 && h.indexOf(':', colon + 1) < 0) return h.slice(0, colon);
  return h;
}

/** The bytes a path stands for: `%XX` escapes decoded (`+` stays `+`: never a space in a path,
 * docs/protocol.md#addressing). */
function pathBytes(path: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(path.slice(i + 1, i + 3))) {
      bytes.push(parseInt(path.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      const cp = path.codePointAt(i)!;
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      if (cp > 0xffff) i++;
    }
  }
  return Buffer.from(bytes);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Percent-decodes a path as UTF-8, keeping `+` literal; invalid escapes (`%zz`) stay as written. undefined when the
 * bytes are not UTF-8: decoding `%FF` and `%FE` alike to U+FFFD would make two keys one.
 */
export function decodePath(path: string): string | undefined {
  return path.includes('%') ? utf8(pathBytes(path)) : path;
}

/**
 * OSS names are UTF-8: a name that is not is InvalidObjectName with its own EC
 * (https://www.alibabacloud.com/help/en/oss/support/0016-00000002); a path-style bucket whose bytes are the culprit
 * is InvalidBucketName.
 */
function notUtf8(path: string, pathStyle: boolean): OssError {
  if (pathStyle) {
    const bytes = pathBytes(path);
    const start = bytes[0] === 0x2f ? 1 : 0;
    const slash = bytes.indexOf(0x2f, start);
    if (utf8(bytes.subarray(start, slash < 0 ? bytes.length : slash)) === undefined) {
      return new OssError('InvalidBucketName', {
        message: 'The specified bucket is not valid: its name is not UTF-8.',
      });
    }
  }
  return new OssError('InvalidObjectName', {
    message: 'The specified object is not valid: its name is not UTF-8.',
    ec: CAUSE_EC.nameNotUtf8,
  });
}

/** Configured base domains: `<bucket>.<base>` is virtual-hosted, `<base>` itself path style. */
function suffixOf(host: string, baseDomains: readonly string[]): string | undefined {
  const regional = /\.(oss-[a-z0-9-]+\.aliyuncs\.com)$/.exec(host);
  if (regional) return regional[1];
  return [...baseDomains, 'localhost'].find((base) => host.endsWith(`.${base}`));
}

/**
 * Bucket and key of a request from its Host header and raw path (without the query), per docs/protocol.md#addressing:
 * - endpoint hosts (IP, localhost, `oss-<region>[-internal].aliyuncs.com`, a base domain) are path style:
 *   `/` and `//` (C++ ListBuckets) are the service, `/bucket[/]` the bucket, `/bucket/key` an object;
 * - `<bucket>.<endpoint host>` is virtual-hosted, including ali-oss's IP-endpoint form `<bucket>.oss-<region>.
 *   aliyuncs.com` with a bare `/<key>` path and its ListBuckets host `.oss-cn-hangzhou.aliyuncs.com` (empty label);
 * - any other host is treated as path style: without a configured base domain the mock cannot tell a bucket label
 *   from a domain label, and path-style requests always name their bucket.
 */
export function resolveAddress(o: { host: string; path: string; baseDomains?: string[] }): Address {
  const host = hostName(o.host);
  const baseDomains = (o.baseDomains ?? []).map((d) => d.toLowerCase());
  const suffix = isEndpointHost(host, baseDomains) ? undefined : suffixOf(host, baseDomains);
  const decoded = decodePath(o.path);
  if (decoded === undefined) throw notUtf8(o.path, suffix === undefined);
  const rest = decoded.startsWith('/') ? decoded.slice(1) : decoded;

  if (suffix !== undefined) {
    const bucket = host.slice(0, host.length - suffix.length - 1);
    const address: Address = { style: 'virtual' };
    if (bucket !== '') address.bucket = bucket;
    if (bucket !== '' && rest !== '') address.key = rest;
    return address;
  }

  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  const address: Address = { style: 'path' };
  if (bucket !== '') address.bucket = bucket;
  if (bucket !== '' && key !== '') address.key = key;
  return address;
}

/** OSS bucket naming (docs/protocol.md#limits): 3-63 of `a-z 0-9 -`, starting and ending with a letter or digit (C++'s
 * regex). */
export function isValidBucketName(name: string): boolean {
  return /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name);
}

const MAX_KEY_BYTES = 1023;

/** InvalidObjectName for keys OSS refuses (docs/protocol.md#limits, docs/protocol.md#error-catalogue): empty, over 1023
 * UTF-8 bytes, or starting with `/` or `\`. */
export function objectKeyError(key: string): OssError | undefined {
  if (key === '') return new OssError('InvalidObjectName', { message: 'The Object name can not be empty.' });
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    return new OssError('InvalidObjectName', { message: 'The Length of Object name must be less than 1024.' });
  }
  if (key.startsWith('/') || key.startsWith('\\')) return new OssError('InvalidObjectName');
  return undefined;
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/**
 * RFC 3986 style encoding of UTF-8 bytes as V4 signing uses it (docs/protocol.md#v4-signature): `A-Z a-z 0-9 - _ . ~`
 * kept, `/` kept when keepSlash, every other byte `%XX` with uppercase hex.
 */
export function uriEncode(s: string, keepSlash: boolean): string {
  let out = '';
  for (const ch of s) {
    if (UNRESERVED.test(ch) || (keepSlash && ch === '/')) {
      out += ch;
    } else {
      for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/**
 * `encoding-type=url` values in list results (docs/protocol.md#listing): every byte outside `A-Za-z0-9-_.~/` as `%XX`,
 * so a space
 * is `%20` (never `+`, which C++ and oss2 would not decode) and `+` is `%2B`.
 */
export function ossUrlEncode(s: string): string {
  return uriEncode(s, true);
}
