// Where a request goes, by the C++ SDK's rules [src/utils/Utils.cc CombineHostString/CombinePathString;
// docs/protocol.md#cpp-sdk, docs/protocol.md#addressing]:
// - an IPv4 endpoint, or pathStyle: Host `ip:port`, path `/<bucket>/<key>`, bucket level `/<bucket>/`, and
//   ListBuckets `//` (the empty bucket keeps its `/`);
// - otherwise virtual-hosted: Host `<bucket>.<host>`, path `/<key>`.
// Keys keep A-Za-z0-9-_.~ and `/`; every other byte is %XX (space %20). IPv6 literals are refused (ValidateError).
import { uriEncode } from '../protocol/addressing.js';
import { validateError } from './errors.js';

export interface Endpoint {
  protocol: 'http:' | 'https:';
  /** host name or IPv4 literal, lowercased */
  hostname: string;
  /** explicit port, or undefined for the scheme's default */
  port?: number;
}

export interface RequestTarget {
  /** the Host header */
  host: string;
  /** where the socket connects */
  connectHost: string;
  port: number;
  /** percent-encoded path plus query string */
  path: string;
}

export type QueryParams = Array<[string, string | undefined]>;

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** `http://host:port`, `https://host`, or a bare `host[:port]` (HTTP, the C++ SDK's default scheme). */
export function parseEndpoint(endpoint: string): Endpoint {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw validateError(`The endpoint is invalid: ${endpoint}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw validateError(`The endpoint scheme is not supported: ${endpoint}`);
  }
  if (url.hostname.startsWith('[')) throw validateError(`IPv6 endpoints are not supported: ${endpoint}`);
  return {
    protocol: url.protocol,
    hostname: url.hostname.toLowerCase(),
    port: url.port === '' ? undefined : Number(url.port),
  };
}

export function isPathStyle(endpoint: Endpoint, pathStyle = false): boolean {
  return pathStyle || IPV4.test(endpoint.hostname);
}

export function encodeKey(key: string): string {
  return uriEncode(key, true);
}

/** `a=1&b` with names and values %XX-encoded; an empty or absent value is sent as the bare name. */
export function encodeQuery(query: QueryParams): string {
  return query
    .map(([name, value]) => (value ? `${uriEncode(name, false)}=${uriEncode(value, false)}` : uriEncode(name, false)))
    .join('&');
}

export function requestTarget(
  endpoint: Endpoint,
  o: { pathStyle: boolean; bucket?: string; key?: string; query?: QueryParams },
): RequestTarget {
  const bucket = o.bucket ?? '';
  const key = o.key === undefined ? '' : encodeKey(o.key);
  const pathStyle = isPathStyle(endpoint, o.pathStyle);
  const hostname = pathStyle || bucket === '' ? endpoint.hostname : `${bucket}.${endpoint.hostname}`;
  const port = endpoint.port ?? (endpoint.protocol === 'https:' ? 443 : 80);
  const query = o.query && o.query.length > 0 ? `?${encodeQuery(o.query)}` : '';
  return {
    host: endpoint.port === undefined ? hostname : `${hostname}:${endpoint.port}`,
    connectHost: loopbackAlias(hostname),
    port,
    path: (pathStyle ? `/${bucket}/${key}` : `/${key}`) + query,
  };
}

/**
 * `<bucket>.localhost` is loopback by RFC 6761 and curl resolves it so, but the system resolver often does not
 * (ali-oss fails with ENOTFOUND there, docs/protocol.md#ali-oss): connect to `localhost` and keep the Host header.
 */
function loopbackAlias(hostname: string): string {
  return hostname.endsWith('.localhost') ? 'localhost' : hostname;
}
