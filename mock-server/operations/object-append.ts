// AppendObject: `POST /<key>?append&position=P` (docs/protocol.md#appendobject).
import { CAUSE_EC, OssError } from '../../protocol/errors.js';
import { quoteEtag } from '../../protocol/etag.js';
import { queryValue } from '../exchange/request-target.js';
import { sendEmpty } from '../exchange/reply.js';
import { MAX_OBJECT_SIZE } from '../storage/limits.js';
import { receiveInto, requireBodyLength, withStagedBody } from './staging.js';
import { assertBucket, currentObject } from './checks.js';
import { rejectWriteConditions } from './conditions.js';
import { committedEvent, emitEvent, objectTarget, type Handler } from './handler.js';
import { versionHeaders } from './versioning.js';
import { objectHeadersFromRequest } from './object-headers.js';
import { sseResponseHeaders } from './sse.js';
import type { ObjectHeaders } from '../storage/store.js';

/** What an append to an existing object passes: the store keeps the headers of the append that created it. */
const IGNORED_HEADERS: ObjectHeaders = Object.freeze({ contentType: '', userMeta: {}, storageClass: '' });

function positionOf(query: Record<string, string>): number {
  const raw = queryValue(query, 'position');
  if (raw === undefined || !/^\d{1,16}$/.test(raw)) {
    throw new OssError('InvalidArgument', {
      message: 'The position of append must be a non-negative integer.',
      extra: { ArgumentName: 'position', ArgumentValue: raw ?? '' },
    });
  }
  return Number(raw);
}

export const appendObject: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const position = positionOf(ex.query);
  // AppendObject appends to the current version only (EC 0016-00000504,
  // https://www.alibabacloud.com/help/en/oss/user-guide/0016-00000504)
  if ('versionId' in ex.query) {
    throw new OssError('InvalidArgument', {
      message: 'AppendObject does not support the versionId parameter.',
      ec: CAUSE_EC.appendWithVersionId,
      extra: { ArgumentName: 'versionId', ArgumentValue: ex.query.versionId ?? '' },
    });
  }
  rejectWriteConditions(ex);
  requireBodyLength(ex);
  const info = await assertBucket(s, bucket);
  // Only the append that creates the object sets its headers: on later appends OSS ignores them, x-oss-tagging
  // included, however malformed (aliyun-oss-python-sdk tests/test_object.py test_append_object_with_tagging_wrong_num).
  const headers = position === 0 ? objectHeadersFromRequest(ex, info) : IGNORED_HEADERS;
  // Refuse a wrong position before the body is sent; PositionNotEqualToLength must carry x-oss-next-append-position
  // (oss2 reads it, docs/protocol.md#error-catalogue). The store checks again when it commits.
  const current = await currentObject(s, bucket, key);
  if (current !== undefined && current.objectType !== 'Appendable') throw new OssError('ObjectNotAppendable');
  const length = current?.size ?? 0;
  if (position !== length) {
    throw new OssError('PositionNotEqualToLength', { headers: { 'x-oss-next-append-position': String(length) } });
  }
  const meta = await withStagedBody(s, async (staged) => {
    await receiveInto(ex, s, staged, MAX_OBJECT_SIZE - position);
    return s.store.appendObject(bucket, key, position, staged, headers);
  });
  emitEvent(ex, s, committedEvent(meta));
  sendEmpty(ex, 200, {
    ETag: quoteEtag(meta.etag),
    'x-oss-next-append-position': meta.size,
    // the whole object's CRC: clients seed their CRC of the next append with it (docs/protocol.md#crc-64)
    'x-oss-hash-crc64ecma': meta.crc64,
    ...sseResponseHeaders(meta.sse),
    // the version appended to, in a versioned bucket
    ...versionHeaders(meta),
  });
};
