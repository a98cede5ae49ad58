// CopyObject: `PUT /<key>` with x-oss-copy-source (docs/protocol.md#copyobject, developer-reference/copyobject).
import { xmlTime } from '../../protocol/dates.js';
import { OssError } from '../../protocol/errors.js';
import { quoteEtag } from '../../protocol/etag.js';
import type { Exchange } from '../exchange/exchange.js';
import { sendEmpty, sendXml } from '../exchange/reply.js';
import type { BucketInfo, ObjectHeaders, ObjectMeta } from '../storage/store.js';
import { copyInto, withStagedBody } from './staging.js';
import { assertBucket, assertOverwriteAllowed } from './checks.js';
import { checkCopySourceConditions } from './conditions.js';
import { copySourceMeta, copySourceVersionHeaders, openCopySource, parseCopySource } from './copy-source.js';
import { committedEvent, emitEvent, objectTarget, type Handler } from './handler.js';
import { versionHeaders } from './versioning.js';
import { forbidOverwriteOf, objectAclOf, objectHeadersFromRequest, storageClassOf } from './object-headers.js';
import { sseOf, sseResponseHeaders } from './sse.js';
import { taggingDirectiveOf, taggingOf } from './tagging.js';
import { requestHeader } from '../exchange/request-target.js';

type Directive = 'COPY' | 'REPLACE';

function directiveOf(ex: Exchange): Directive {
  const raw = requestHeader(ex.req, 'x-oss-metadata-directive');
  if (raw === undefined) return 'COPY';
  const d = raw.trim().toUpperCase();
  if (d !== 'COPY' && d !== 'REPLACE') {
    throw new OssError('InvalidArgument', { extra: { ArgumentName: 'x-oss-metadata-directive', ArgumentValue: raw } });
  }
  return d;
}

/**
 * The destination's headers (developer-reference/copyobject): x-oss-metadata-directive COPY takes Content-Type, user
 * metadata and the other content headers from the source, REPLACE from the request (a copy onto itself always takes the
 * request's, docs/protocol.md#copyobject); x-oss-tagging-directive Copy keeps the source's tags, Replace takes
 * x-oss-tagging. Never copied: the ACL (default: `default`), the SSE (only the request's applies) and the storage class
 * (the request's, else the bucket's).
 */
function destinationHeaders(ex: Exchange, source: ObjectMeta, bucket: BucketInfo, self: boolean): ObjectHeaders {
  const fromRequest = objectHeadersFromRequest(ex, bucket);
  const replace = self || directiveOf(ex) === 'REPLACE';
  const headers: ObjectHeaders = replace
    ? { ...fromRequest, tags: undefined, acl: undefined, sse: undefined }
    : {
        contentType: source.contentType,
        userMeta: { ...source.userMeta },
        storageClass: fromRequest.storageClass,
        cacheControl: source.cacheControl,
        contentDisposition: source.contentDisposition,
        contentEncoding: source.contentEncoding,
        contentLanguage: source.contentLanguage,
        expires: source.expires,
      };
  headers.storageClass = storageClassOf(ex) ?? bucket.storageClass;
  headers.acl = objectAclOf(ex);
  headers.sse = sseOf(ex);
  headers.tags = taggingDirectiveOf(ex) === 'REPLACE' || self ? taggingOf(ex) : source.tags;
  if (source.objectType === 'Symlink') headers.symlinkTarget = source.symlinkTarget;
  return headers;
}

export const copyObject: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const source = parseCopySource(requestHeader(ex.req, 'x-oss-copy-source')!);
  directiveOf(ex);
  const forbidOverwrite = forbidOverwriteOf(ex);
  const info = await assertBucket(s, bucket);
  await assertOverwriteAllowed(s, ex, forbidOverwrite);
  const self = source.bucket === bucket && source.key === key;
  // "If the source object is a symbolic link, only the symbolic link is copied" (developer-reference/copyobject)
  const sourceMeta = await copySourceMeta(s, source);
  // validated before the source is opened, so a refused request leaves no stream behind
  const headers = destinationHeaders(ex, sourceMeta, info, self);
  let meta: ObjectMeta;
  if (headers.symlinkTarget !== undefined) {
    if (checkCopySourceConditions(ex, sourceMeta) === 'not-modified') return sendEmpty(ex, 304);
    meta = await s.store.putSymlink(
      bucket,
      key,
      { ...headers, symlinkTarget: headers.symlinkTarget },
      { forbidOverwrite },
    );
  } else {
    const opened = await openCopySource(s, ex, source);
    if (opened === 'not-modified') return sendEmpty(ex, 304);
    meta = await withStagedBody(s, async (staged) => {
      await copyInto(ex, opened.body, staged);
      return s.store.putObject(bucket, key, staged, headers, { forbidOverwrite });
    });
  }
  emitEvent(ex, s, committedEvent(meta));
  // ETag in the header too: oss2 builds its result from the header only (docs/protocol.md#etags)
  sendXml(
    ex,
    'CopyObjectResult',
    { ETag: quoteEtag(meta.etag), LastModified: xmlTime(meta.lastModified) },
    {
      ETag: quoteEtag(meta.etag),
      'x-oss-hash-crc64ecma': meta.crc64,
      ...sseResponseHeaders(meta.sse),
      ...copySourceVersionHeaders(sourceMeta),
      ...versionHeaders(meta),
    },
  );
};
