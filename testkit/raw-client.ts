// The suite's own OSS requests, signed with protocol/signing and sent with node:http, independent of the driver
// under test. Scenarios use it to observe what the endpoint really holds (a disabled client cannot be asked), and
// the endpoint scenarios (WIRE, ATOM short bodies) use it to look at headers and bodies no SDK exposes.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import {
  authorizeV1,
  authorizeV4,
  httpDate,
  isoBasic,
  parseXml,
  presignV1,
  presignV4,
  uriEncode,
  UNSIGNED_PAYLOAD,
  type Credentials,
  type SignableRequest,
} from '../protocol/index.js';

export type Query = Array<[string, string | undefined]>;

export interface RawRequest {
  method: string;
  bucket?: string;
  key?: string;
  query?: Query;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** default 'v1' */
  auth?: 'v1' | 'v4' | 'none';
  /** overrides the target credentials (wrong-secret checks) */
  credentials?: Credentials;
  /** signing time (skew checks); default now */
  date?: Date;
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  /** lowercased names */
  headers: Record<string, string>;
  body: Buffer;
}

export interface RawTarget {
  endpoint: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export interface PreparedRequest {
  url: URL;
  headers: Record<string, string>;
}

/** Fields of an `<Error>` body (docs/protocol.md#error-envelope), all as strings. */
export type ErrorFields = Record<string, string>;

export class RawClient {
  readonly endpoint: URL;

  constructor(readonly target: RawTarget) {
    this.endpoint = new URL(target.endpoint);
  }

  get credentials(): Credentials {
    return { accessKeyId: this.target.accessKeyId, accessKeySecret: this.target.accessKeySecret };
  }

  /**
   * Path style (`/bucket/key`, Host = endpoint) for IP literals and localhost, as the C++ SDK and oss2 decide
   * (docs/protocol.md#addressing); otherwise virtual-hosted (`bucket.host`), which real OSS requires.
   */
  get pathStyle(): boolean {
    const host = this.endpoint.hostname.replace(/^\[|\]$/g, '');
    return isIP(host) !== 0 || host === 'localhost';
  }

  /** The URL (without signature) of a bucket/key with the given query, encoded as SDKs send it. */
  url(bucket: string | undefined, key: string | undefined, query: Query = []): URL {
    const url = new URL(this.endpoint.origin);
    const keyPath = key === undefined ? '' : uriEncode(key, true);
    if (bucket === undefined) {
      url.pathname = '/';
    } else if (this.pathStyle) {
      url.pathname = `/${bucket}/${keyPath}`;
    } else {
      url.hostname = `${bucket}.${this.endpoint.hostname}`;
      url.pathname = `/${keyPath}`;
    }
    url.search = encodeQuery(query);
    return url;
  }

  /** URL and headers (signed as asked) for a request, without sending it. */
  prepare(r: RawRequest): PreparedRequest {
    const query = r.query ?? [];
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
    const creds = r.credentials ?? this.credentials;
    const now = r.date ?? new Date();
    const signable = (): SignableRequest => ({ method: r.method, bucket: r.bucket, key: r.key, query, headers });
    if (r.auth === 'v4') {
      headers['x-oss-date'] ??= isoBasic(now);
      headers['x-oss-content-sha256'] ??= UNSIGNED_PAYLOAD;
      headers.authorization = authorizeV4(signable(), creds, { region: this.target.region }).authorization;
    } else if (r.auth !== 'none') {
      headers.date ??= httpDate(now);
      headers.authorization = authorizeV1(signable(), creds).authorization;
    }
    return { url: this.url(r.bucket, r.key, query), headers };
  }

  async request(r: RawRequest): Promise<RawResponse> {
    const { url, headers } = this.prepare(r);
    if (r.body !== undefined || ['PUT', 'POST'].includes(r.method)) {
      headers['content-length'] = String(r.body?.byteLength ?? 0);
    }
    return send(r.method, url, headers, r.body, r.timeoutMs ?? 30_000);
  }

  /** A presigned URL (V1: absolute Expires; V4: relative x-oss-expires) for GET or PUT. */
  presign(o: {
    method: string;
    bucket: string;
    key: string;
    version: 'v1' | 'v4';
    expiresSeconds: number;
    now?: Date;
    credentials?: Credentials;
    headers?: Record<string, string>;
  }): URL {
    const now = o.now ?? new Date();
    const creds = o.credentials ?? this.credentials;
    const r: SignableRequest = { method: o.method, bucket: o.bucket, key: o.key, query: [], headers: o.headers ?? {} };
    const params =
      o.version === 'v1'
        ? presignV1(r, creds, Math.floor(now.getTime() / 1000) + o.expiresSeconds)
        : presignV4(r, creds, { region: this.target.region, date: now, expiresSeconds: o.expiresSeconds });
    return this.url(o.bucket, o.key, params);
  }

  // Convenience calls for observing and preparing state. Each throws RawStatusError unless the status is expected.

  async putBucket(bucket: string): Promise<void> {
    expectStatus(await this.request({ method: 'PUT', bucket }), [200], `PutBucket ${bucket}`);
  }

  async deleteBucket(bucket: string): Promise<void> {
    expectStatus(await this.request({ method: 'DELETE', bucket }), [204], `DeleteBucket ${bucket}`);
  }

  async putObject(
    bucket: string,
    key: string,
    body: Uint8Array,
    headers?: Record<string, string>,
  ): Promise<RawResponse> {
    return expectStatus(await this.request({ method: 'PUT', bucket, key, body, headers }), [200], `PutObject ${key}`);
  }

  async getObject(bucket: string, key: string): Promise<RawResponse> {
    return this.request({ method: 'GET', bucket, key });
  }

  async headObject(bucket: string, key: string): Promise<RawResponse> {
    return this.request({ method: 'HEAD', bucket, key });
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    expectStatus(await this.request({ method: 'DELETE', bucket, key }), [204], `DeleteObject ${key}`);
  }

  /** PutBucketVersioning (`?versioning`, docs/protocol.md#versioning). */
  async putBucketVersioning(bucket: string, status: 'Enabled' | 'Suspended'): Promise<void> {
    const body = Buffer.from(`<VersioningConfiguration><Status>${status}</Status></VersioningConfiguration>`);
    expectStatus(
      await this.request({ method: 'PUT', bucket, query: [['versioning', undefined]], body }),
      [200],
      `PutBucketVersioning ${bucket}`,
    );
  }

  /**
   * Every version and delete marker under a prefix, in listing order (ListObjectVersions, following
   * NextKeyMarker/NextVersionIdMarker; docs/protocol.md#versioning).
   */
  async listVersions(bucket: string, prefix: string): Promise<RawVersion[]> {
    const out: RawVersion[] = [];
    let keyMarker = '';
    let versionIdMarker = '';
    for (let page = 0; page < 1000; page++) {
      const query: Query = [
        ['versions', undefined],
        ['prefix', prefix],
        ['max-keys', '1000'],
      ];
      if (keyMarker !== '') query.push(['key-marker', keyMarker]);
      if (versionIdMarker !== '') query.push(['version-id-marker', versionIdMarker]);
      const res = expectStatus(await this.request({ method: 'GET', bucket, query }), [200], 'ListObjectVersions');
      const result = xmlRoot(res.body, 'ListVersionsResult');
      const entry = (v: XmlNode, deleteMarker: boolean): RawVersion => ({
        key: text(v, 'Key'),
        versionId: text(v, 'VersionId'),
        isLatest: text(v, 'IsLatest') === 'true',
        deleteMarker,
        etag: text(v, 'ETag'),
      });
      // the XML interleaves Version and DeleteMarker in listing order; the parser groups them by name
      out.push(...list(result.Version).map((v) => entry(v, false)));
      out.push(...list(result.DeleteMarker).map((v) => entry(v, true)));
      if (text(result, 'IsTruncated') !== 'true') break;
      keyMarker = text(result, 'NextKeyMarker');
      versionIdMarker = text(result, 'NextVersionIdMarker');
    }
    return out;
  }

  /** Deletes one version or delete marker for good (DeleteObject with versionId). */
  async deleteVersion(bucket: string, key: string, versionId: string): Promise<void> {
    expectStatus(
      await this.request({ method: 'DELETE', bucket, key, query: [['versionId', versionId]] }),
      [204],
      `DeleteObject ${key} version ${versionId}`,
    );
  }

  /** Removes every version and delete marker under a prefix (a versioned bucket can only be deleted empty). */
  async purgeVersions(bucket: string, prefix: string): Promise<void> {
    for (const v of await this.listVersions(bucket, prefix)) await this.deleteVersion(bucket, v.key, v.versionId);
  }

  /** Every key under a prefix (ListObjects v1, following NextMarker). */
  async listKeys(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let marker = '';
    for (let page = 0; page < 1000; page++) {
      const res = expectStatus(
        await this.request({
          method: 'GET',
          bucket,
          query: [
            ['prefix', prefix],
            ['marker', marker],
            ['max-keys', '1000'],
          ],
        }),
        [200],
        'ListObjects',
      );
      const result = xmlRoot(res.body, 'ListBucketResult');
      for (const c of list(result.Contents)) keys.push(text(c, 'Key'));
      if (text(result, 'IsTruncated') !== 'true') break;
      marker = text(result, 'NextMarker') || keys[keys.length - 1] || '';
    }
    return keys;
  }

  /** Unfinished uploads under a prefix (ListMultipartUploads, following the markers). */
  async listUploads(bucket: string, prefix: string): Promise<Array<{ key: string; uploadId: string }>> {
    const uploads: Array<{ key: string; uploadId: string }> = [];
    let keyMarker = '';
    let uploadIdMarker = '';
    for (let page = 0; page < 1000; page++) {
      const res = expectStatus(
        await this.request({
          method: 'GET',
          bucket,
          query: [
            ['uploads', undefined],
            ['prefix', prefix],
            ['key-marker', keyMarker],
            ['upload-id-marker', uploadIdMarker],
          ],
        }),
        [200],
        'ListMultipartUploads',
      );
      const result = xmlRoot(res.body, 'ListMultipartUploadsResult');
      for (const u of list(result.Upload)) uploads.push({ key: text(u, 'Key'), uploadId: text(u, 'UploadId') });
      if (text(result, 'IsTruncated') !== 'true') break;
      keyMarker = text(result, 'NextKeyMarker');
      uploadIdMarker = text(result, 'NextUploadIdMarker');
    }
    return uploads;
  }

  /** The parts of an upload (status and error code as returned, so NoSuchUpload can be asserted). */
  async listParts(
    bucket: string,
    key: string,
    uploadId: string,
  ): Promise<{ res: RawResponse; parts: Array<{ partNumber: number; etag: string; size: number; crc64?: string }> }> {
    const res = await this.request({ method: 'GET', bucket, key, query: [['uploadId', uploadId]] });
    if (res.status !== 200) return { res, parts: [] };
    const result = xmlRoot(res.body, 'ListPartsResult');
    const parts = list(result.Part).map((p) => ({
      partNumber: Number(text(p, 'PartNumber')),
      etag: text(p, 'ETag'),
      size: Number(text(p, 'Size')),
      crc64: text(p, 'HashCrc64ecma') || undefined,
    }));
    return { res, parts };
  }

  async initiate(bucket: string, key: string): Promise<string> {
    const res = expectStatus(
      await this.request({ method: 'POST', bucket, key, query: [['uploads', undefined]] }),
      [200],
      `InitiateMultipartUpload ${key}`,
    );
    return text(xmlRoot(res.body, 'InitiateMultipartUploadResult'), 'UploadId');
  }

  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
  ): Promise<RawResponse> {
    const query: Query = [
      ['partNumber', String(partNumber)],
      ['uploadId', uploadId],
    ];
    return this.request({ method: 'PUT', bucket, key, query, body });
  }

  async complete(
    bucket: string,
    key: string,
    uploadId: string,
    parts: Array<{ partNumber: number; etag: string }>,
  ): Promise<RawResponse> {
    const xml =
      '<CompleteMultipartUpload>' +
      parts.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${p.etag}</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>';
    return this.request({ method: 'POST', bucket, key, query: [['uploadId', uploadId]], body: Buffer.from(xml) });
  }

  async abort(bucket: string, key: string, uploadId: string): Promise<RawResponse> {
    return this.request({ method: 'DELETE', bucket, key, query: [['uploadId', uploadId]] });
  }
}

/** One entry of ListObjectVersions. */
export interface RawVersion {
  key: string;
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  /** '' for a delete marker */
  etag: string;
}

export class RawStatusError extends Error {
  override readonly name = 'RawStatusError';
  constructor(
    readonly what: string,
    readonly res: RawResponse,
  ) {
    const code = errorFields(res).Code ?? '';
    super(`${what}: HTTP ${res.status}${code ? ` ${code}` : ''}`);
  }
}

export function expectStatus(res: RawResponse, statuses: number[], what: string): RawResponse {
  if (!statuses.includes(res.status)) throw new RawStatusError(what, res);
  return res;
}

/** The `<Error>` fields of a response: from the body, or from the base64 `x-oss-err` header of a HEAD
 * (docs/protocol.md#head-errors). */
export function errorFields(res: RawResponse): ErrorFields {
  let xml = res.body.toString('utf8');
  if (xml.trim() === '' && res.headers['x-oss-err'])
    xml = Buffer.from(res.headers['x-oss-err'], 'base64').toString('utf8');
  if (xml.trim() === '') return {};
  try {
    const doc = parseXml(xml);
    const root = doc.Error;
    if (typeof root !== 'object' || root === null || Array.isArray(root)) return {};
    const out: ErrorFields = {};
    for (const [k, v] of Object.entries(root)) if (typeof v === 'string') out[k] = v;
    return out;
  } catch {
    return {};
  }
}

export type XmlNode = Record<string, unknown>;

export function xmlRoot(body: Buffer, root: string): XmlNode {
  const doc = parseXml(body.toString('utf8'));
  const node = doc[root];
  if (typeof node === 'object' && node !== null && !Array.isArray(node)) return node as XmlNode;
  if (node === '') return {};
  throw new Error(`expected <${root}> in ${body.toString('utf8').slice(0, 200)}`);
}

export function text(node: unknown, field: string): string {
  if (typeof node !== 'object' || node === null) return '';
  const v = (node as XmlNode)[field];
  return typeof v === 'string' ? v : '';
}

export function list(v: unknown): XmlNode[] {
  if (v === undefined || v === '') return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is XmlNode => typeof x === 'object' && x !== null);
}

function encodeQuery(query: Query): string {
  return query
    .map(([name, value]) =>
      value === undefined ? uriEncode(name, false) : `${uriEncode(name, false)}=${uriEncode(value, false)}`,
    )
    .join('&');
}

/** A plain-HTTP target whose path is sent exactly as given (a URL would normalize `..` and `//` away). */
export interface HostPath {
  host: string;
  port: number;
  path: string;
}

/**
 * One HTTP exchange, by default on a fresh connection (no keep-alive: an interrupted raw request never poisons the
 * next). The one HTTP sender of the kit: RawClient and requests.ts both send through it.
 */
export function send(
  method: string,
  url: URL | HostPath,
  headers: Record<string, string>,
  body: Uint8Array | undefined,
  timeoutMs: number,
  agent: http.Agent | false = false,
): Promise<RawResponse> {
  const lib = url instanceof URL && url.protocol === 'https:' ? https : http;
  const options = { method, headers, agent, timeout: timeoutMs };
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    };
    const req =
      url instanceof URL
        ? lib.request(url, options, onResponse)
        : lib.request({ ...options, host: url.host, port: url.port, path: url.path }, onResponse);
    req.on('timeout', () =>
      req.destroy(
        new Error(`${method} ${url instanceof URL ? url.pathname : url.path}: no answer within ${timeoutMs} ms`),
      ),
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  });
}
