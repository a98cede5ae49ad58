// A raw OSS client for the reliability runs: path-style requests signed with protocol/signing's V1
// (docs/protocol.md#v1-signature), every byte and header under the caller's control, and requests that can be cut at an
// exact body offset. The project's OssClient is not used on purpose: it retries, validates and hides what a hostile
// client does.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { uriEncode } from '../protocol/addressing.js';
import { httpDate } from '../protocol/dates.js';
import { authorizeV1 } from '../protocol/signing.js';
import { parseXml } from '../protocol/xml.js';
import { send as sendRequest } from './raw-client.js';

export { rawExchange, type RawExchange } from './socket.js';

export interface Endpoint {
  host: string;
  port: number;
  accessKeyId: string;
  accessKeySecret: string;
}

export type QueryPairs = Array<[string, string | undefined]>;

export interface WireRequest {
  method: string;
  bucket?: string;
  key?: string;
  /** decoded names and values, wire order; undefined value = bare name (`?uploads`) */
  query?: QueryPairs;
  /** lowercase names */
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** sign with V1 (default true); false sends the request anonymous */
  sign?: boolean;
  /** the Date to sign with (default now): a skewed clock */
  date?: Date;
  /**
   * default false (a connection per request): a reused keep-alive socket that the server closes as idle while the
   * request is being written fails with ECONNRESET, which a run must not mistake for a server fault
   */
  agent?: http.Agent | false;
  /** give up (reject) after this long; default 30 s, so a hung server fails the run instead of hanging it */
  timeoutMs?: number;
}

export interface WireResponse {
  status: number;
  /** lowercased names, repeated headers joined with ', ' */
  headers: Record<string, string>;
  body: Buffer;
  /** the OSS error code of an error answer, from the body or HEAD's x-oss-err (docs/protocol.md#head-errors) */
  code?: string;
}

export function md5Hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex').toUpperCase();
}

export function md5Base64(data: Buffer | string): string {
  return createHash('md5').update(data).digest('base64');
}

export function requestPath(r: Pick<WireRequest, 'bucket' | 'key' | 'query'>): string {
  let path = r.bucket === undefined ? '/' : `/${r.bucket}/${r.key === undefined ? '' : uriEncode(r.key, true)}`;
  const query = (r.query ?? []).map(
    ([n, v]) => encodeURIComponent(n) + (v === undefined ? '' : `=${encodeURIComponent(v)}`),
  );
  if (query.length > 0) path += `?${query.join('&')}`;
  return path;
}

/** The headers to send: the caller's plus Date and a V1 Authorization over them. */
export function signedHeaders(ep: Endpoint, r: WireRequest): Record<string, string> {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  if (r.sign === false) return headers;
  headers.date ??= httpDate(r.date ?? new Date());
  const signable = { method: r.method, query: r.query ?? [], headers, bucket: r.bucket, key: r.key };
  const { authorization } = authorizeV1(signable, {
    accessKeyId: ep.accessKeyId,
    accessKeySecret: ep.accessKeySecret,
  });
  return { ...headers, authorization };
}

/** The `<Code>` of an OSS error answer, or undefined for a success or a body that is not the envelope. */
export function errorCode(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): string | undefined {
  if (status < 300) return undefined;
  const xerr = headers['x-oss-err'];
  const text = typeof xerr === 'string' ? Buffer.from(xerr, 'base64').toString('utf8') : body.toString('utf8');
  try {
    const root = parseXml(text).Error;
    const code = typeof root === 'object' && root !== null ? (root as Record<string, unknown>).Code : undefined;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

export async function send(ep: Endpoint, r: WireRequest): Promise<WireResponse> {
  const body = r.body === undefined ? undefined : Buffer.from(r.body);
  const headers = signedHeaders(ep, r);
  if (body !== undefined && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
    headers['content-length'] = String(body.length);
  }
  const target = { host: ep.host, port: ep.port, path: requestPath(r) };
  const res = await sendRequest(r.method, target, headers, body, r.timeoutMs ?? 30_000, r.agent ?? false);
  const code = errorCode(res.status, res.headers, res.body);
  return code === undefined ? res : { ...res, code };
}

/**
 * Starts an upload promising `body.length` bytes, sends the first `sendBytes` (< body.length) and destroys the socket
 * once they were handed to the kernel: the client disconnect of the interrupt fuzz. Resolves when the socket is closed,
 * whatever the server did meanwhile.
 */
export function cutRequest(ep: Endpoint, r: WireRequest & { body: Buffer }, sendBytes: number): Promise<void> {
  if (sendBytes >= r.body.length) throw new RangeError('a cut request must send fewer bytes than it promises');
  return new Promise((resolve) => {
    const req = promisingRequest(ep, r);
    req.on('close', () => resolve());
    req.on('response', (res) => res.resume());
    const cut = (): void => {
      req.destroy();
    };
    if (sendBytes === 0) {
      req.flushHeaders();
      setTimeout(cut, 1);
    } else {
      req.write(r.body.subarray(0, sendBytes), cut);
    }
  });
}

/** A signed request on its own connection promising `body.length` bytes; errors are expected and ignored. */
export function promisingRequest(ep: Endpoint, r: WireRequest & { body: Buffer }): http.ClientRequest {
  const headers = { ...signedHeaders(ep, r), 'content-length': String(r.body.length) };
  const req = http.request({
    host: ep.host,
    port: ep.port,
    method: r.method,
    path: requestPath(r),
    headers,
    agent: false,
  });
  req.on('error', () => undefined);
  return req;
}

/** The request line and headers of a signed request, for writing raw (header names as given, CRLF ends). */
export function rawHead(ep: Endpoint, r: WireRequest, extra: string[] = []): string {
  const headers = { host: `${ep.host}:${ep.port}`, ...signedHeaders(ep, r) };
  const lines = [`${r.method} ${requestPath(r)} HTTP/1.1`, ...Object.entries(headers).map(([n, v]) => `${n}: ${v}`)];
  return `${[...lines, ...extra].join('\r\n')}\r\n\r\n`;
}
