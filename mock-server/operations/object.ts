// Object handlers: PutObject, GetObject, HeadObject, GetObjectMeta, DeleteObject (docs/protocol.md#putobject,
// docs/protocol.md#object-operations).
import { format as formatContentDisposition, parse as parseContentDisposition } from 'content-disposition';
import { httpDate } from '../../protocol/dates.js';
import { OssError } from '../../protocol/errors.js';
import { quoteEtag } from '../../protocol/etag.js';
import type { Exchange } from '../exchange/exchange.js';
import { sendBody } from '../egress/response-body.js';
import { sendEmpty, type HeaderMap } from '../exchange/reply.js';
import { queryValue, requestHeader } from '../exchange/request-target.js';
import { MAX_OBJECT_SIZE } from '../storage/limits.js';
import type { ByteRange, ObjectMeta } from '../storage/store.js';
import { receiveInto, requireBodyLength, withStagedBody } from './staging.js';
import { assertBucket, assertOverwriteAllowed } from './checks.js';
import { checkRequestConditions, rejectWriteConditions } from './conditions.js';
import {
  committedEvent,
  deletedEvent,
  emitEvent,
  objectTarget,
  type Handler,
  type OperationServices,
} from './handler.js';
import {
  forbidOverwriteOf,
  hasControlCharacter,
  objectHeadersFromRequest,
  objectResponseHeaders,
} from './object-headers.js';
import { resolveRange } from './range.js';
import { assertReadable } from './restore-state.js';
import { sseResponseHeaders } from './sse.js';
import { linkView, resolveObject } from './symlink.js';
import { versionHeaders, versionIdOf } from './versioning.js';

export const putObject: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  rejectWriteConditions(ex);
  requireBodyLength(ex);
  const info = await assertBucket(s, bucket);
  const headers = objectHeadersFromRequest(ex, info);
  const forbidOverwrite = forbidOverwriteOf(ex);
  await assertOverwriteAllowed(s, ex, forbidOverwrite);
  const meta = await withStagedBody(s, async (staged) => {
    await receiveInto(ex, s, staged, MAX_OBJECT_SIZE);
    return s.store.putObject(bucket, key, staged, headers, { forbidOverwrite });
  });
  emitEvent(ex, s, committedEvent(meta));
  sendEmpty(ex, 200, {
    ETag: quoteEtag(meta.etag),
    'x-oss-hash-crc64ecma': meta.crc64,
    'Content-MD5': meta.contentMd5,
    ...sseResponseHeaders(meta.sse),
    ...versionHeaders(meta),
  });
};

/** response-* query parameters override GetObject's response headers (docs/protocol.md#getobject). */
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-language': 'Content-Language',
  'response-expires': 'Expires',
  'response-cache-control': 'Cache-Control',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
};

function badOverride(param: string, why: string): OssError {
  return new OssError('InvalidArgument', {
    message: `The value of ${param} ${why}.`,
    extra: { ArgumentName: param },
  });
}

/**
 * A response header carries ASCII (Latin-1 at most, which would not be the UTF-8 the client encoded), so an override
 * with other text is encoded where a standard way exists: Content-Disposition's parameters as RFC 8187 (the
 * successor of RFC 5987, used by RFC 6266) `filename*=UTF-8''...`. Any other override with non-ASCII text, or a
 * control character anywhere, is 400 InvalidArgument.
 */
function overrideValue(param: string, header: string, value: string): string {
  if (/^[\x20-\x7e\t]*$/.test(value)) return value;
  if (hasControlCharacter(value)) throw badOverride(param, 'contains a control character');
  if (header !== 'Content-Disposition') throw badOverride(param, 'is not US-ASCII');
  try {
    return formatContentDisposition(parseContentDisposition(value));
  } catch {
    throw badOverride(param, 'is not a valid Content-Disposition');
  }
}

/** Checked before the object is opened: a refused override leaves nothing open. */
function overrides(ex: Exchange): HeaderMap {
  const out: HeaderMap = {};
  for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = queryValue(ex.query, param);
    if (value !== undefined) out[header] = overrideValue(param, header, value);
  }
  return out;
}

function notModified(ex: Exchange, meta: ObjectMeta): void {
  sendEmpty(ex, 304, { ETag: quoteEtag(meta.etag), 'Last-Modified': httpDate(meta.lastModified) });
}

function isStandardRange(ex: Exchange): boolean {
  return requestHeader(ex.req, 'x-oss-range-behavior')?.trim().toLowerCase() === 'standard';
}

/**
 * The version to serve and its bytes (through a symlink: the target's bytes under the link's view). An archived
 * version must be restored first. The range is resolved against the version actually opened: if the object changed
 * between the HEAD and the open, resolve again (bounded: each retry means a newer commit landed).
 */
async function openForRead(ex: Exchange, s: OperationServices) {
  const { bucket, key } = objectTarget(ex);
  const versionId = versionIdOf(ex);
  let view = await resolveObject(s, bucket, key, versionId);
  for (let attempt = 0; ; attempt++) {
    const { meta, content } = view;
    assertReadable(content, new Date());
    if (checkRequestConditions(ex, meta) === 'not-modified') return { meta, notModified: true as const };
    const range = resolveRange(requestHeader(ex.req, 'range'), meta.size, isStandardRange(ex));
    // the addressed version itself, or the current version of a link's target
    const opened = await s.store.readObject(content.bucket, content.key, range, content.versionId ?? versionId);
    if (opened.meta.etag === content.etag || attempt >= 3) {
      return { meta, body: opened.body, range, notModified: false as const };
    }
    opened.body.destroy();
    view =
      meta === content
        ? { meta: opened.meta, content: opened.meta }
        : { meta: linkView(meta, opened.meta), content: opened.meta };
  }
}

function rangeHeaders(range: ByteRange | undefined, size: number): HeaderMap {
  if (range === undefined) return { 'Content-Length': size };
  return {
    'Content-Length': range.end - range.start + 1,
    'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
  };
}

export const getObject: Handler = async (ex, s) => {
  const overridden = overrides(ex);
  const opened = await openForRead(ex, s);
  if (opened.notModified) return notModified(ex, opened.meta);
  const { meta, body, range } = opened;
  // from here on every way out closes the object's stream (sendBody does once it runs): an open file otherwise
  try {
    ex.res.statusCode = range === undefined ? 200 : 206;
    const headers: HeaderMap = { ...objectResponseHeaders(meta), ...overridden, ...rangeHeaders(range, meta.size) };
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined) ex.res.setHeader(name, String(value));
    }
  } catch (err) {
    body.destroy();
    throw err;
  }
  const failure = await sendBody(ex, body);
  // the response is already cut; http/ logs and reports what broke it
  if (failure !== undefined) throw failure;
};

export const headObject: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const { meta } = await resolveObject(s, bucket, key, versionIdOf(ex));
  if (checkRequestConditions(ex, meta) === 'not-modified') return notModified(ex, meta);
  sendEmpty(ex, 200, { ...objectResponseHeaders(meta), 'Content-Length': meta.size });
};

/** The light HEAD of Go's IsObjectExist and oss2's get_object_meta (docs/protocol.md#getobject). */
export const getObjectMeta: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const { meta } = await resolveObject(s, bucket, key, versionIdOf(ex));
  sendEmpty(ex, 200, {
    ETag: quoteEtag(meta.etag),
    'Content-Length': meta.size,
    'Last-Modified': httpDate(meta.lastModified),
    'x-oss-last-access-time': httpDate(meta.lastModified),
    'x-oss-hash-crc64ecma': meta.crc64,
    ...versionHeaders(meta),
  });
};

/**
 * 204 whether or not the key existed; NoSuchBucket still applies (docs/protocol.md#object-operations). In a versioned
 * bucket: without versionId a delete marker is added, with one that version goes for good
 * (docs/protocol.md#versioning): the answer names the version in x-oss-version-id, and x-oss-delete-marker says when
 * it is a delete marker.
 */
export const deleteObject: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const versionId = versionIdOf(ex);
  const outcome = await s.store.deleteObject(bucket, key, versionId === undefined ? {} : { versionId });
  if (outcome.changed) emitEvent(ex, s, deletedEvent(outcome));
  sendEmpty(ex, 204, {
    'x-oss-delete-marker': outcome.deleteMarker ? 'true' : undefined,
    'x-oss-version-id': outcome.versionId,
  });
};
