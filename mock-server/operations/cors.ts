// Bucket CORS: PutBucketCors / GetBucketCors / DeleteBucketCors (`?cors`), the OPTIONS preflight answered from the
// rules (OptionObject), and the CORS headers of actual requests (http/ adds them to every answer, errors included).
// docs/protocol.md#bucket-cors has the facts and their sources.
import { OssError } from '../../protocol/errors.js';
import { parseXml, xmlArray, type XmlValue } from '../../protocol/xml.js';
import type { HeaderMap } from '../exchange/reply.js';
import { sendEmpty, sendXml } from '../exchange/reply.js';
import { requestHeader } from '../exchange/request-target.js';
import { receiveSmallBody } from '../ingest/body-reader.js';
import type { CorsConfiguration, CorsRule, Store } from '../storage/store.js';
import { assertBucket } from './checks.js';
import type { Handler } from './handler.js';

/** developer-reference/putbucketcors: up to 10 rules, a body of up to 16 KB. */
export const MAX_CORS_RULES = 10;
export const MAX_CORS_BODY_BYTES = 16 * 1024;
export const CORS_METHODS: readonly string[] = ['GET', 'PUT', 'DELETE', 'POST', 'HEAD'];

/**
 * ECs of PutBucketCors validation, at https://www.alibabacloud.com/help/en/oss/user-guide/<EC>: 0034-00000002 (no
 * CORSRule), 0034-00000011 (an AllowedMethod that is not GET, PUT, DELETE, POST or HEAD). The code is not published;
 * the mock answers 400 InvalidArgument, as for other invalid configuration values.
 */
const CORS_EC = { noRule: '0034-00000002', badMethod: '0034-00000011' } as const;

function invalid(message: string, ec?: string, name?: string, value?: string): OssError {
  const extra: Record<string, string> = {};
  if (name !== undefined) extra.ArgumentName = name;
  if (value !== undefined) extra.ArgumentValue = value;
  return new OssError('InvalidArgument', { message, extra, ...(ec === undefined ? {} : { ec }) });
}

function texts(v: unknown, name: string): string[] {
  return xmlArray(v as unknown[] | undefined).map((item) => {
    if (typeof item !== 'string') throw new OssError('MalformedXML');
    const text = item.trim();
    if (text === '') throw invalid(`${name} must not be empty.`, undefined, name, item);
    return text;
  });
}

function atMostOneWildcard(values: string[], name: string): void {
  const bad = values.find((v) => v.split('*').length > 2);
  if (bad !== undefined) throw invalid(`${name} can contain at most one wildcard (*).`, undefined, name, bad);
}

function parseRule(raw: unknown): CorsRule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new OssError('MalformedXML');
  const r = raw as Record<string, unknown>;
  const allowedOrigins = texts(r.AllowedOrigin, 'AllowedOrigin');
  const allowedMethods = xmlArray(r.AllowedMethod as unknown[] | undefined).map((m) => {
    const method = typeof m === 'string' ? m.trim() : '';
    if (!CORS_METHODS.includes(method)) {
      throw invalid(
        `AllowedMethod must be one of ${CORS_METHODS.join(', ')}.`,
        CORS_EC.badMethod,
        'AllowedMethod',
        String(m),
      );
    }
    return method;
  });
  if (allowedOrigins.length === 0) throw invalid('A CORSRule needs an AllowedOrigin.', undefined, 'AllowedOrigin');
  if (allowedMethods.length === 0) throw invalid('A CORSRule needs an AllowedMethod.', undefined, 'AllowedMethod');
  const allowedHeaders = texts(r.AllowedHeader, 'AllowedHeader');
  const exposeHeaders = texts(r.ExposeHeader, 'ExposeHeader');
  atMostOneWildcard(allowedOrigins, 'AllowedOrigin');
  atMostOneWildcard(allowedHeaders, 'AllowedHeader');
  const wild = exposeHeaders.find((h) => h.includes('*'));
  if (wild !== undefined) throw invalid('ExposeHeader cannot contain a wildcard (*).', undefined, 'ExposeHeader', wild);
  const rule: CorsRule = { allowedOrigins, allowedMethods, allowedHeaders, exposeHeaders };
  const maxAge = xmlArray(r.MaxAgeSeconds as unknown[] | undefined);
  if (maxAge.length > 1) throw invalid('A CORSRule has at most one MaxAgeSeconds.', undefined, 'MaxAgeSeconds');
  if (maxAge.length === 1) {
    const text = typeof maxAge[0] === 'string' ? maxAge[0].trim() : '';
    if (!/^\d{1,9}$/.test(text)) throw invalid('MaxAgeSeconds must be an integer.', undefined, 'MaxAgeSeconds', text);
    rule.maxAgeSeconds = Number(text);
  }
  return rule;
}

/** The `<CORSConfiguration>` of PutBucketCors. */
export function parseCorsConfiguration(text: string): CorsConfiguration {
  const root = parseXml(text).CORSConfiguration;
  if (root === undefined) throw new OssError('MalformedXML');
  const doc =
    typeof root === 'object' && root !== null && !Array.isArray(root) ? (root as Record<string, unknown>) : {};
  const rules = xmlArray(doc.CORSRule as unknown[] | undefined).map(parseRule);
  if (rules.length === 0) throw invalid('A CORS configuration needs at least one CORSRule.', CORS_EC.noRule);
  if (rules.length > MAX_CORS_RULES) {
    throw invalid(`A bucket can have at most ${MAX_CORS_RULES} CORS rules.`, undefined, 'CORSRule');
  }
  const vary = typeof doc.ResponseVary === 'string' ? doc.ResponseVary.trim() : undefined;
  if (vary !== undefined && vary !== 'true' && vary !== 'false') {
    throw invalid('ResponseVary must be true or false.', undefined, 'ResponseVary', vary);
  }
  return { rules, responseVary: vary === 'true' };
}

export function corsConfigurationXml(cors: CorsConfiguration): XmlValue {
  return {
    CORSRule: cors.rules.map((r) => {
      const rule: Record<string, XmlValue> = { AllowedOrigin: r.allowedOrigins, AllowedMethod: r.allowedMethods };
      if (r.allowedHeaders.length > 0) rule.AllowedHeader = r.allowedHeaders;
      if (r.exposeHeaders.length > 0) rule.ExposeHeader = r.exposeHeaders;
      if (r.maxAgeSeconds !== undefined) rule.MaxAgeSeconds = r.maxAgeSeconds;
      return rule;
    }),
    ResponseVary: cors.responseVary,
  };
}

export const putBucketCors: Handler = async (ex, s) => {
  const bucket = ex.ctx.bucket!;
  await assertBucket(s, bucket);
  const text = (await receiveSmallBody(ex, s.control, MAX_CORS_BODY_BYTES)).toString('utf8');
  await s.store.setBucketCors(bucket, parseCorsConfiguration(text));
  sendEmpty(ex, 200);
};

export const getBucketCors: Handler = async (ex, s) => {
  const info = await assertBucket(s, ex.ctx.bucket!);
  if (info.cors === undefined) throw new OssError('NoSuchCORSConfiguration', { extra: { BucketName: info.name } });
  sendXml(ex, 'CORSConfiguration', corsConfigurationXml(info.cors));
};

/** 204, as alibabacloud-oss-go-sdk-v2 oss/api_op_bucket_cros_test.go expects (also when there were no rules). */
export const deleteBucketCors: Handler = async (ex, s) => {
  await assertBucket(s, ex.ctx.bucket!);
  await s.store.setBucketCors(ex.ctx.bucket!, undefined);
  sendEmpty(ex, 204);
};

/** `*` in a pattern stands for any run of characters; the rest is literal and compared case-insensitively. */
function wildcardMatch(pattern: string, value: string): boolean {
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`, 'i').test(value);
}

/** The requested headers of a preflight, lowercase, without empty entries. */
function requestedHeaders(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
}

/**
 * The first rule whose AllowedOrigin matches `origin`, AllowedMethod `method` and AllowedHeader every requested
 * header (developer-reference/putbucketcors, "CORS rule matching"), and the AllowedOrigin that matched.
 */
export function matchCorsRule(
  cors: CorsConfiguration,
  origin: string,
  method: string,
  headers: string[] = [],
): { rule: CorsRule; allowedOrigin: string } | undefined {
  for (const rule of cors.rules) {
    const allowedOrigin = rule.allowedOrigins.find((o) => wildcardMatch(o, origin));
    if (allowedOrigin === undefined || !rule.allowedMethods.includes(method)) continue;
    if (!headers.every((h) => rule.allowedHeaders.some((a) => wildcardMatch(a, h)))) continue;
    return { rule, allowedOrigin };
  }
  return undefined;
}

/** `Vary: Origin` when the bucket's ResponseVary is true, on every answer of the bucket (putbucketcors). */
function varyHeader(cors: CorsConfiguration): Record<string, string> {
  return cors.responseVary ? { Vary: 'Origin' } : {};
}

function allowHeaders(match: { rule: CorsRule; allowedOrigin: string }, origin: string): HeaderMap {
  const { rule } = match;
  const headers: HeaderMap = {
    'Access-Control-Allow-Origin': match.allowedOrigin === '*' ? '*' : origin,
    'Access-Control-Allow-Methods': rule.allowedMethods.join(', '),
  };
  if (rule.exposeHeaders.length > 0) headers['Access-Control-Expose-Headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) headers['Access-Control-Max-Age'] = rule.maxAgeSeconds;
  return headers;
}

/**
 * The CORS headers of an actual (non-OPTIONS) request to `bucket`: those of the first rule matching its Origin and
 * method, nothing when none matches or it has no Origin, plus `Vary: Origin` when the bucket asks for it. Never
 * throws: a missing bucket has no rules.
 */
export async function corsHeadersFor(
  store: Store,
  bucket: string,
  origin: string | undefined,
  method: string,
): Promise<HeaderMap> {
  const cors = (await store.getBucket(bucket))?.cors;
  if (cors === undefined) return {};
  const match = origin === undefined ? undefined : matchCorsRule(cors, origin, method);
  return { ...(match === undefined ? {} : allowHeaders(match, origin!)), ...varyHeader(cors) };
}

/**
 * OptionObject, the preflight (developer-reference/options): Origin and Access-Control-Request-Method are required
 * (400 BadRequest, https://www.alibabacloud.com/help/en/oss/support/http-400-status-code); a request no rule allows
 * is 403 AccessForbidden without CORS headers; an allowed one is 200 with the rule's headers, the requested headers
 * echoed in Access-Control-Allow-Headers.
 */
export const optionObject: Handler = async (ex, s) => {
  const info = await assertBucket(s, ex.ctx.bucket!);
  const origin = requestHeader(ex.req, 'origin');
  const method = requestHeader(ex.req, 'access-control-request-method')?.trim();
  const vary = info.cors === undefined ? {} : varyHeader(info.cors);
  if (origin === undefined) {
    throw new OssError('BadRequest', { headers: vary });
  }
  if (method === undefined) {
    throw new OssError('BadRequest', {
      message: 'Insufficient information. Request Access-Control-Request-Method header needed.',
      headers: vary,
    });
  }
  const wanted = requestedHeaders(requestHeader(ex.req, 'access-control-request-headers'));
  const match = info.cors === undefined ? undefined : matchCorsRule(info.cors, origin, method, wanted);
  if (match === undefined) {
    throw new OssError('AccessForbidden', {
      extra: { Method: method, ResourceType: ex.ctx.key === undefined ? 'Bucket' : 'Object' },
      headers: vary,
    });
  }
  const headers: HeaderMap = { ...allowHeaders(match, origin), ...vary };
  if (wanted.length > 0) headers['Access-Control-Allow-Headers'] = wanted.join(', ');
  sendEmpty(ex, 200, headers);
};
