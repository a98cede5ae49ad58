// Object headers: read from a write request (PutObject, AppendObject, Initiate, CopyObject REPLACE) and replayed on
// GetObject and HeadObject, which share one helper so they cannot disagree (docs/protocol.md#common-headers,
// docs/protocol.md#putobject, docs/protocol.md#getobject).
import { httpDate } from '../../protocol/dates.js';
import { CAUSE_EC, OssError } from '../../protocol/errors.js';
import { quoteEtag } from '../../protocol/etag.js';
import type { Exchange } from '../exchange/exchange.js';
import type { HeaderMap } from '../exchange/reply.js';
import type { ObjectAcl, ObjectHeaders, ObjectMeta } from '../storage/store.js';

import { oneOf, STORAGE_CLASSES } from './params.js';
import { restoreHeader } from './restore-state.js';
import { sseOf, sseResponseHeaders } from './sse.js';
import { taggingOf } from './tagging.js';
import { requestHeader } from '../exchange/request-target.js';

const META_PREFIX = 'x-oss-meta-';
/** docs/protocol.md#limits: user metadata is at most 8 KB in total. */
const MAX_USER_META_BYTES = 8 * 1024;

export const OBJECT_ACLS: readonly ObjectAcl[] = ['default', 'private', 'public-read', 'public-read-write'];

function headerOneOf(ex: Exchange, name: string, allowed: readonly string[]): string | undefined {
  const raw = requestHeader(ex.req, name);
  return raw === undefined ? undefined : oneOf(raw, allowed, name);
}

export function storageClassOf(ex: Exchange): string | undefined {
  return headerOneOf(ex, 'x-oss-storage-class', STORAGE_CLASSES);
}

export function objectAclOf(ex: Exchange): ObjectAcl | undefined {
  return headerOneOf(ex, 'x-oss-object-acl', OBJECT_ACLS) as ObjectAcl | undefined;
}

/**
 * Control characters (other than HTAB) cannot be sent back in a response header: Node refuses them, so an object
 * stored with one would answer every later GET and HEAD with an error. Node's lenient parser (which the mock needs
 * for ali-oss) lets them into request headers, so a write refuses them before anything is stored.
 */
// eslint-disable-next-line no-control-regex -- finding them is the point
const CONTROL_CHARACTER = /[\x00-\x08\x0a-\x1f\x7f]/;

/** A character no response header may carry (all but HTAB below 0x20, and DEL). */
export function hasControlCharacter(value: string): boolean {
  return CONTROL_CHARACTER.test(value);
}

function refuseControlCharacters(name: string, value: string, ec?: string): string {
  if (!hasControlCharacter(value)) return value;
  throw new OssError('InvalidArgument', {
    message: `The value of the ${name} header contains a control character.`,
    extra: { ArgumentName: name },
    ...(ec === undefined ? {} : { ec }),
  });
}

/** A stored header of a write request, refused when it could not be sent back. */
function storedHeader(ex: Exchange, name: string): string | undefined {
  const value = requestHeader(ex.req, name);
  return value === undefined ? undefined : refuseControlCharacters(name, value);
}

/**
 * x-oss-meta-* as they arrived: the values are the bytes on the wire (one character per byte), which is what OSS
 * stores and returns, so a UTF-8 value comes back byte for byte (and the 8 KB limit counts bytes).
 */
export function userMetaOf(ex: Exchange): Record<string, string> {
  const meta: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(ex.req.headers)) {
    if (!name.startsWith(META_PREFIX) || value === undefined) continue;
    // a user metadata value with characters OSS does not support has its own EC
    // (https://help.aliyun.com/en/oss/user-guide/0011-00000005)
    const v = refuseControlCharacters(name, Array.isArray(value) ? value.join(', ') : value, CAUSE_EC.userMetaValue);
    meta[name.slice(META_PREFIX.length)] = v;
    bytes += name.length + v.length;
  }
  if (bytes > MAX_USER_META_BYTES) {
    throw new OssError('InvalidArgument', {
      message: 'Your metadata headers exceed the maximum allowed metadata size.',
    });
  }
  return meta;
}

/**
 * The headers a write request stores with the object (Node already lowercased the names). An absent
 * x-oss-storage-class means the bucket's storage class (developer-reference/putobject, x-oss-storage-class).
 */
export function objectHeadersFromRequest(ex: Exchange, defaults: { storageClass: string }): ObjectHeaders {
  const headers: ObjectHeaders = {
    contentType: storedHeader(ex, 'content-type') ?? 'application/octet-stream',
    userMeta: userMetaOf(ex),
    storageClass: storageClassOf(ex) ?? defaults.storageClass,
  };
  const optional: Array<[keyof ObjectHeaders, ObjectHeaders[keyof ObjectHeaders] | undefined]> = [
    ['cacheControl', storedHeader(ex, 'cache-control')],
    ['contentDisposition', storedHeader(ex, 'content-disposition')],
    ['contentEncoding', storedHeader(ex, 'content-encoding')],
    ['contentLanguage', storedHeader(ex, 'content-language')],
    ['expires', storedHeader(ex, 'expires')],
    ['acl', objectAclOf(ex)],
    ['tags', taggingOf(ex)],
    ['sse', sseOf(ex)],
  ];
  for (const [field, value] of optional) if (value !== undefined) Object.assign(headers, { [field]: value });
  return headers;
}

/** x-oss-forbid-overwrite: only `true` forbids (docs/protocol.md#putobject). */
export function forbidOverwriteOf(ex: Exchange): boolean {
  return requestHeader(ex.req, 'x-oss-forbid-overwrite')?.trim().toLowerCase() === 'true';
}

/**
 * ETag, Last-Modified and the rest that GET and HEAD answer with (docs/protocol.md#etags,
 * docs/protocol.md#object-operations, docs/protocol.md#getobject): x-oss-tagging-count when the version has tags
 * (developer-reference/getobject), the SSE it was written with, x-oss-restore for a restore running or done
 * (developer-reference/headobject).
 */
export function objectResponseHeaders(meta: ObjectMeta, now: Date = new Date()): HeaderMap {
  const headers: HeaderMap = {
    'Content-Type': meta.contentType,
    ETag: quoteEtag(meta.etag),
    'Last-Modified': httpDate(meta.lastModified),
    'Accept-Ranges': 'bytes',
    'x-oss-object-type': meta.objectType,
    'x-oss-storage-class': meta.storageClass,
    'x-oss-hash-crc64ecma': meta.crc64,
    // Content-MD5 for Normal objects only (docs/protocol.md#content-md5); the store records it only for them
    'Content-MD5': meta.contentMd5,
    'Cache-Control': meta.cacheControl,
    'Content-Disposition': meta.contentDisposition,
    'Content-Encoding': meta.contentEncoding,
    'Content-Language': meta.contentLanguage,
    Expires: meta.expires,
    'x-oss-tagging-count': meta.tags !== undefined && meta.tags.length > 0 ? meta.tags.length : undefined,
    'x-oss-next-append-position': meta.objectType === 'Appendable' ? meta.size : undefined,
    'x-oss-restore': restoreHeader(meta, now),
    // the version read, in a versioned bucket (developer-reference/getobject, versioning sample)
    'x-oss-version-id': meta.versionId,
    ...sseResponseHeaders(meta.sse),
  };
  for (const [name, value] of Object.entries(meta.userMeta)) headers[`${META_PREFIX}${name}`] = value;
  return headers;
}
