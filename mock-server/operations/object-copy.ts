// CopyObject: `PUT /<key>` with x-oss-copy-source (reference §6.6).
import { xmlTime } from '../../protocol/dates.js';
import { OssError } from '../../protocol/errors.js';
import { quoteEtag } from '../../protocol/etag.js';
import type { Exchange } from '../exchange/exchange.js';
import { sendEmpty, sendXml } from '../exchange/reply.js';
import type { ObjectHeaders, ObjectMeta } from '../storage/store.js';
import { copyInto, withStagedBody } from './staging.js';
import { assertBucket, assertOverwriteAllowed } from './checks.js';
import { openCopySource, parseCopySource } from './copy-source.js';
import { emitEvent, objectTarget, type Handler } from './handler.js';
import { forbidOverwriteOf, objectAclOf, objectHeadersFromRequest, storageClassOf } from './object-headers.js';
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

/** COPY keeps the source's headers; storage class and ACL headers of the request still apply. */
function copiedHeaders(ex: Exchange, source: ObjectMeta): ObjectHeaders {
  const {
    bucket: _b,
    key: _k,
    size: _s,
    etag: _e,
    crc64: _c,
    contentMd5: _m,
    lastModified: _l,
    objectType: _t,
    ...h
  } = source;
  const headers: ObjectHeaders = {
    ...h,
    userMeta: { ...h.userMeta },
    storageClass: storageClassOf(ex) ?? h.storageClass,
  };
  const acl = objectAclOf(ex);
  if (acl !== undefined) headers.acl = acl;
  return headers;
}

export const copyObject: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const source = parseCopySource(requestHeader(ex.req, 'x-oss-copy-source')!);
  const directive = directiveOf(ex);
  const forbidOverwrite = forbidOverwriteOf(ex);
  await assertBucket(s, bucket);
  await assertOverwriteAllowed(s, ex, forbidOverwrite);
  const opened = await openCopySource(s, ex, source);
  if (opened === 'not-modified') return sendEmpty(ex, 304);
  const { meta: sourceMeta, body } = opened;
  // A copy onto itself always takes the request's metadata (§6.6).
  const self = source.bucket === bucket && source.key === key;
  const headers = directive === 'REPLACE' || self ? objectHeadersFromRequest(ex) : copiedHeaders(ex, sourceMeta);
  const meta = await withStagedBody(s, async (staged) => {
    await copyInto(ex, body, staged);
    return s.store.putObject(bucket, key, staged, headers, { forbidOverwrite });
  });
  emitEvent(ex, s, { type: 'object.committed', size: meta.size, etag: meta.etag });
  // ETag in the header too: oss2 builds its result from the header only (§2.2)
  sendXml(
    ex,
    'CopyObjectResult',
    { ETag: quoteEtag(meta.etag), LastModified: xmlTime(meta.lastModified) },
    { ETag: quoteEtag(meta.etag), 'x-oss-hash-crc64ecma': meta.crc64 },
  );
};
