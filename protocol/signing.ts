// OSS request signatures, V1 (HMAC-SHA1) and V4 (OSS4-HMAC-SHA256), header and presigned forms, exactly as
// docs/protocol.md#v1-signature describes them. The mock server verifies with these functions and the client signs with
// them, so both are pinned to the published vectors (docs/protocol.md#v1-signature, docs/protocol.md#v4-signature) in
// signing.test.ts.
import { createHash, createHmac } from 'node:crypto';
import { uriEncode } from './addressing.js';
import { dateStamp, isoBasic, parseOssDate } from './dates.js';

/**
 * A request as both sides see it: query decoded in wire order (undefined = bare name), header names lowercased.
 * Header values are the bytes on the wire, one character per byte (latin1): node:http hands request headers over in
 * that form and writes outgoing string headers the same way, and OSS signs those bytes. A UTF-8 value such as
 * `阿达` is six characters here; `toWireHeader` turns text into this form.
 */
export interface SignableRequest {
  method: string;
  bucket?: string;
  key?: string;
  query: Array<[string, string | undefined]>;
  headers: Record<string, string>;
}

/** Text as the UTF-8 bytes it travels as, one character per byte: what node:http sends for a header string. */
export function toWireHeader(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/**
 * A wire header value (one character per byte) read back as text when its bytes are valid UTF-8; any other byte
 * sequence is returned unchanged, so nothing is lost.
 */
export function fromWireHeader(wire: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(wire)) return wire;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(wire, 'latin1'));
  } catch {
    return wire;
  }
}

/** Text (key, query values, method) as the byte string it is hashed as. */
const bytesOf = (text: string): string => toWireHeader(text);
/** HTTP optional whitespace only: a byte-wise trim must not cut the 0xA0 that ends a UTF-8 sequence such as `à`. */
const trimOws = (wire: string): string => wire.replace(/^[ \t]+|[ \t]+$/g, '');

/** STS callers put `securityToken` in the `x-oss-security-token` header themselves before header signing. */
export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

const byName = <T extends [string, unknown]>(a: T, b: T): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * Lowercased, trimmed `x-oss-*` headers sorted by name, each `name:value\n` (docs/protocol.md#v1-signature, shared by
 * V4 docs/protocol.md#v4-signature), as a byte string: the values are signed as the bytes that were on the wire.
 */
function canonicalHeaderLines(headers: Record<string, string>, include: (name: string) => boolean): string {
  return Object.entries(headers)
    .map(([k, v]): [string, string] => [k.toLowerCase(), trimOws(String(v))])
    .filter(([k]) => include(k))
    .sort(byName)
    .map(([k, v]) => `${k}:${v}\n`)
    .join('');
}

function header(headers: Record<string, string>, name: string): string | undefined {
  if (headers[name] !== undefined) return headers[name];
  const found = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return found === undefined ? undefined : headers[found];
}

// ---------------------------------------------------------------------------------------------------------------
// V1 (docs/protocol.md#v1-signature, docs/protocol.md#v1-presign)

/**
 * Query parameters that V1 signs: the union of the Go (`conn.go signKeyList`), oss2 (`auth.py _subresource_key_set`)
 * and C++ (`SignUtils.cc ParamtersToSign`) lists, docs/protocol.md#v1-signature. A union is safe because a client only
 * sends the exotic ones for the features that sign them.
 */
// prettier-ignore
const V1_SUB_RESOURCES: ReadonlySet<string> = new Set([
  // Core list (Go, Python, C++)
  'acl', 'uploads', 'location', 'cors', 'logging', 'website', 'referer', 'lifecycle', 'delete', 'append', 'tagging',
  'objectMeta', 'uploadId', 'partNumber', 'security-token', 'position', 'img', 'style', 'styleName', 'replication',
  'replicationProgress', 'replicationLocation', 'cname', 'bucketInfo', 'comp', 'qos', 'live', 'status', 'vod',
  'startTime', 'endTime', 'symlink', 'x-oss-process', 'response-content-type', 'response-content-language',
  'response-expires', 'response-cache-control', 'response-content-disposition', 'response-content-encoding',
  'restore', 'callback', 'callback-var', 'qosInfo', 'policy', 'stat', 'encryption', 'versions', 'versioning',
  'versionId', 'requestPayment', 'x-oss-request-payer', 'x-oss-traffic-limit', 'sequential', 'inventory',
  'inventoryId', 'continuation-token', 'asyncFetch', 'worm', 'wormId', 'wormExtend', 'transferAcceleration',
  'regionList', 'metaQuery', 'resourceGroup', 'x-oss-async-process', 'x-oss-ac-source-ip', 'x-oss-ac-subnet-mask',
  'x-oss-ac-vpc-id', 'x-oss-ac-forward-allow',
  // Go only
  'udf', 'udfName', 'udfImage', 'udfId', 'udfImageDesc', 'udfApplication', 'udfApplicationLog', 'withHashContext',
  'x-oss-enable-md5', 'x-oss-enable-sha1', 'x-oss-enable-sha256', 'x-oss-hash-ctx', 'x-oss-md5-ctx', 'cloudboxes',
  'rtc', 'responseHeader',
  // Python only
  'group', 'link', 'objectInfo', 'x-oss-write-get-object-response', 'bucketArchiveDirectRead', 'httpsConfig',
  'redundancyTransition', 'x-oss-target-redundancy-type', 'x-oss-redundancy-transition-taskid', 'accessPoint',
  'accessPointPolicy', 'publicAccessBlock', 'x-oss-access-point-name', 'requesterQosInfo', 'qosRequester',
  'resourcePoolInfo', 'resourcePool', 'resourcePoolBuckets',
]);

export function isV1SubResource(name: string): boolean {
  return V1_SUB_RESOURCES.has(name);
}

/**
 * `/`, `/bucket/` or `/bucket/key` with the raw decoded key (never URL-encoded), then `?` and the sub-resources
 * sorted by name, `name=value` with the raw value or bare `name` when the value is empty or absent (oss2's first
 * ListObjectsV2 page signs `?continuation-token`, docs/protocol.md#v1-signature). The bucket is named even for
 * virtual-hosted requests.
 */
export function canonicalizedResourceV1(r: SignableRequest): string {
  let resource = '/';
  if (r.bucket !== undefined) resource += r.key === undefined ? `${r.bucket}/` : `${r.bucket}/${r.key}`;
  const sub = r.query
    .filter(([name]) => isV1SubResource(name))
    .sort(byName)
    .map(([name, value]) => (value === undefined || value === '' ? name : `${name}=${value}`));
  return sub.length === 0 ? resource : `${resource}?${sub.join('&')}`;
}

/**
 * The bytes V1 signs: VERB, Content-MD5, Content-Type, date, canonical `x-oss-*` headers, canonical resource
 * (docs/protocol.md#v1-signature). `date` is `x-oss-date ?? Date` (a header: wire bytes) for header signatures and the
 * `Expires` value for
 * presigned URLs. Header values enter as their wire bytes, the key and query values as UTF-8.
 */
export function stringToSignV1Bytes(r: SignableRequest, date: string): Buffer {
  const text = [
    bytesOf(r.method.toUpperCase()),
    header(r.headers, 'content-md5') ?? '',
    header(r.headers, 'content-type') ?? '',
    date,
    canonicalHeaderLines(r.headers, (k) => k.startsWith('x-oss-')) + bytesOf(canonicalizedResourceV1(r)),
  ].join('\n');
  return Buffer.from(text, 'latin1');
}

/** stringToSignV1Bytes read as text (UTF-8), for display and tests. */
export function stringToSignV1(r: SignableRequest, date: string): string {
  return stringToSignV1Bytes(r, date).toString('utf8');
}

/** base64(HMAC-SHA1(secret, stringToSign)); a string is signed as its UTF-8 bytes. */
export function signV1(secret: string, stringToSign: string | Buffer): string {
  return createHmac('sha1', secret).update(bytesToSign(stringToSign)).digest('base64');
}

function bytesToSign(s: string | Buffer): Buffer {
  return typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
}

/** The date line of a V1 header signature: `x-oss-date` when present (ali-oss sends only it), else `Date`. */
export function v1DateLine(headers: Record<string, string>): string {
  return header(headers, 'x-oss-date') ?? header(headers, 'date') ?? '';
}

/** `Authorization: OSS <ak>:<signature>` for a request whose Date / x-oss-date headers are already set. */
export function authorizeV1(r: SignableRequest, creds: Credentials): { authorization: string; stringToSign: string } {
  const bytes = stringToSignV1Bytes(r, v1DateLine(r.headers));
  return {
    authorization: `OSS ${creds.accessKeyId}:${signV1(creds.accessKeySecret, bytes)}`,
    stringToSign: bytes.toString('utf8'),
  };
}

/**
 * The query parameters to append to a V1 presigned URL (values raw; the caller URL-encodes them): OSSAccessKeyId,
 * Expires (absolute Unix seconds), Signature, and security-token for STS, which is a sub-resource and so is signed
 * (docs/protocol.md#v1-presign, vector 6).
 */
export function presignV1(r: SignableRequest, creds: Credentials, expires: number): Array<[string, string]> {
  const token = creds.securityToken;
  const signed: SignableRequest = token ? { ...r, query: [...r.query, ['security-token', token]] } : r;
  const signature = signV1(creds.accessKeySecret, stringToSignV1Bytes(signed, String(expires)));
  const params: Array<[string, string]> = [
    ['OSSAccessKeyId', creds.accessKeyId],
    ['Expires', String(expires)],
    ['Signature', signature],
  ];
  if (token) params.push(['security-token', token]);
  return params;
}

// ---------------------------------------------------------------------------------------------------------------
// V4 (docs/protocol.md#v4-signature, docs/protocol.md#v4-presign)

export const V4_ALGORITHM = 'OSS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const V4_TERMINATOR = 'aliyun_v4_request';

export interface V4Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  product: string;
  additionalHeaders: string[];
  signature: string;
}

/**
 * Reads `OSS4-HMAC-SHA256 Credential=ak/yyyymmdd/region/product/aliyun_v4_request,AdditionalHeaders=a;b,Signature=…` in
 * any element order and spacing the SDKs use (Go/C++ no spaces, oss2 `, ` with AdditionalHeaders last,
 * docs/protocol.md#v4-signature). undefined when the scheme, Credential or Signature is missing or malformed.
 */
export function parseV4Authorization(value: string): V4Authorization | undefined {
  const trimmed = value.trim();
  const space = trimmed.indexOf(' ');
  if (space < 0 || trimmed.slice(0, space) !== V4_ALGORITHM) return undefined;
  const fields = new Map<string, string>();
  for (const piece of trimmed.slice(space + 1).split(',')) {
    const p = piece.trim();
    const eq = p.indexOf('=');
    if (eq > 0 && !fields.has(p.slice(0, eq))) fields.set(p.slice(0, eq), p.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential')?.split('/');
  const signature = fields.get('Signature');
  if (!credential || credential.length !== 5 || credential[4] !== V4_TERMINATOR || !signature) return undefined;
  const [accessKeyId, date, region, product] = credential as [string, string, string, string];
  if (!accessKeyId || !/^\d{8}$/.test(date) || !region || !product) return undefined;
  const additionalHeaders = (fields.get('AdditionalHeaders') ?? '')
    .split(';')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  return { accessKeyId, date, region, product, additionalHeaders, signature };
}

/**
 * How an empty query value is signed. 'standard' (Go, oss2, C++, docs/protocol.md#v4-signature): bare `name`.
 * 'ali-oss': ali-oss builds
 * its canonical query with qs `strictNullHandling`, so its sub-resources (sent as `uploads=`) are signed bare but an
 * explicitly empty ordinary parameter (`prefix=`) is signed as `prefix=` (docs/protocol.md#ali-oss). A verifier that
 * sees
 * `name=` on the wire cannot know which the client meant and may try both.
 */
export type V4EmptyValueStyle = 'standard' | 'ali-oss';

/** Every parameter except x-oss-signature, names and values uriEncoded with `/` encoded, sorted by encoded name. */
export function canonicalQueryV4(
  query: Array<[string, string | undefined]>,
  style: V4EmptyValueStyle = 'standard',
): string {
  return query
    .filter(([name]) => name !== 'x-oss-signature')
    .map(([name, value]): [string, string | undefined] => {
      const bare = value === undefined || (value === '' && (style === 'standard' || isV1SubResource(name)));
      return [uriEncode(name, false), bare ? undefined : uriEncode(value, false)];
    })
    .sort((a, b) => byName(a, b) || ((a[1] ?? '') < (b[1] ?? '') ? -1 : (a[1] ?? '') > (b[1] ?? '') ? 1 : 0))
    .map(([name, value]) => (value === undefined ? name : `${name}=${value}`))
    .join('&');
}

/** Additional headers as signed: lowercased, deduplicated, sorted, minus the ones always signed
 * (docs/protocol.md#v4-signature). */
function normaliseAdditionalHeaders(names: string[]): string[] {
  const always = (h: string): boolean => h.startsWith('x-oss-') || h === 'content-type' || h === 'content-md5';
  return [...new Set(names.map((h) => h.trim().toLowerCase()))].filter((h) => h !== '' && !always(h)).sort();
}

/**
 * The bytes of the V4 canonical request (docs/protocol.md#v4-signature): verb, canonical URI (`/bucket/key` encoded,
 * slash kept, bucket included even when virtual-hosted), canonical query, canonical headers (`x-oss-*`, content-type,
 * content-md5 and the additional headers present, values as their wire bytes), an empty line, the additional-headers
 * line, and the hashed payload (`x-oss-content-sha256` or UNSIGNED-PAYLOAD).
 */
export function canonicalRequestV4Bytes(
  r: SignableRequest,
  additionalHeaders: string[],
  o: { emptyValueStyle?: V4EmptyValueStyle } = {},
): Buffer {
  const additional = normaliseAdditionalHeaders(additionalHeaders);
  const signedHeader = (k: string): boolean =>
    k.startsWith('x-oss-') || k === 'content-type' || k === 'content-md5' || additional.includes(k);
  const path = r.bucket === undefined ? '/' : `/${r.bucket}/${r.key ?? ''}`;
  const text = [
    bytesOf(r.method.toUpperCase()),
    uriEncode(path, true),
    canonicalQueryV4(r.query, o.emptyValueStyle),
    canonicalHeaderLines(r.headers, signedHeader),
    additional.join(';'),
    header(r.headers, 'x-oss-content-sha256') ?? UNSIGNED_PAYLOAD,
  ].join('\n');
  return Buffer.from(text, 'latin1');
}

/** canonicalRequestV4Bytes read as text (UTF-8), for display and tests. */
export function canonicalRequestV4(
  r: SignableRequest,
  additionalHeaders: string[],
  o: { emptyValueStyle?: V4EmptyValueStyle } = {},
): string {
  return canonicalRequestV4Bytes(r, additionalHeaders, o).toString('utf8');
}

/** `<yyyymmdd>/<region>/<product>/aliyun_v4_request`. */
export function scopeV4(date: string, region: string, product = 'oss'): string {
  return `${date}/${region}/${product}/${V4_TERMINATOR}`;
}

/** Algorithm, timestamp (raw x-oss-date, or Go SDK v3's raw Date string), scope, hex SHA-256 of the request. */
export function stringToSignV4(timestamp: string, scope: string, canonicalRequest: string | Buffer): string {
  const hashed = createHash('sha256').update(bytesToSign(canonicalRequest)).digest('hex');
  return `${V4_ALGORITHM}\n${timestamp}\n${scope}\n${hashed}`;
}

/** HMAC chain "aliyun_v4"+secret -> date -> region -> product -> "aliyun_v4_request" (docs/protocol.md#v4-signature).
 * */
export function signingKeyV4(secret: string, date: string, region: string, product = 'oss'): Buffer {
  const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
  return hmac(hmac(hmac(hmac(`aliyun_v4${secret}`, date), region), product), V4_TERMINATOR);
}

/** Lowercase hex HMAC-SHA256 of the string to sign with the signing key. */
export function signV4(signingKey: Buffer, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/**
 * The scope day of a V4 timestamp: the first 8 characters of an ISO basic x-oss-date, or the day of an RFC 1123 Date
 * (Go SDK v3 signs the raw Date header, docs/protocol.md#v4-signature). undefined when neither.
 */
export function v4ScopeDate(timestamp: string): string | undefined {
  const d = parseOssDate(timestamp);
  return d === undefined ? undefined : dateStamp(d);
}

/**
 * Header-mode V4 signature. The timestamp is `x-oss-date` (falling back to `Date`), which the caller sets, along
 * with `x-oss-content-sha256` (and `x-oss-security-token` for STS). Additional headers absent from the request are
 * dropped, as the Go SDK does.
 */
export function authorizeV4(
  r: SignableRequest,
  creds: Credentials,
  o: { region: string; product?: string; additionalHeaders?: string[] },
): { authorization: string; canonicalRequest: string; stringToSign: string } {
  const timestamp = header(r.headers, 'x-oss-date') ?? header(r.headers, 'date');
  const date = timestamp === undefined ? undefined : v4ScopeDate(timestamp);
  if (timestamp === undefined || date === undefined) {
    throw new Error('authorizeV4 needs an x-oss-date (yyyymmddTHHMMSSZ) or Date header');
  }
  const product = o.product ?? 'oss';
  const additional = normaliseAdditionalHeaders(o.additionalHeaders ?? []).filter(
    (h) => header(r.headers, h) !== undefined,
  );
  const canonicalRequest = canonicalRequestV4Bytes(r, additional);
  const scope = scopeV4(date, o.region, product);
  const stringToSign = stringToSignV4(timestamp, scope, canonicalRequest);
  const signature = signV4(signingKeyV4(creds.accessKeySecret, date, o.region, product), stringToSign);
  const additionalField = additional.length > 0 ? `AdditionalHeaders=${additional.join(';')},` : '';
  return {
    authorization: `${V4_ALGORITHM} Credential=${creds.accessKeyId}/${scope},${additionalField}Signature=${signature}`,
    canonicalRequest: canonicalRequest.toString('utf8'),
    stringToSign,
  };
}

/**
 * The query parameters to append to a V4 presigned URL (values raw; the caller URL-encodes them),
 * docs/protocol.md#v4-presign. They are part of the signed canonical query; `x-oss-expires` is relative seconds
 * (1..604800). Headers the request will carry (content-type, content-md5, x-oss-*) are signed too.
 */
export function presignV4(
  r: SignableRequest,
  creds: Credentials,
  o: { region: string; date: Date; expiresSeconds: number; additionalHeaders?: string[]; product?: string },
): Array<[string, string]> {
  const product = o.product ?? 'oss';
  const date = dateStamp(o.date);
  const timestamp = isoBasic(o.date);
  const scope = scopeV4(date, o.region, product);
  const additional = normaliseAdditionalHeaders(o.additionalHeaders ?? []);
  const params: Array<[string, string]> = [
    ['x-oss-signature-version', V4_ALGORITHM],
    ['x-oss-credential', `${creds.accessKeyId}/${scope}`],
    ['x-oss-date', timestamp],
    ['x-oss-expires', String(o.expiresSeconds)],
  ];
  if (additional.length > 0) params.push(['x-oss-additional-headers', additional.join(';')]);
  if (creds.securityToken) params.push(['x-oss-security-token', creds.securityToken]);
  const canonicalRequest = canonicalRequestV4Bytes({ ...r, query: [...r.query, ...params] }, additional);
  const stringToSign = stringToSignV4(timestamp, scope, canonicalRequest);
  params.push(['x-oss-signature', signV4(signingKeyV4(creds.accessKeySecret, date, o.region, product), stringToSign)]);
  return params;
}
