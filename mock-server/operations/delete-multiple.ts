// DeleteMultipleObjects: `POST /?delete` with a `<Delete>` body (docs/protocol.md#delete-multiple-objects).
import { createHash } from 'node:crypto';
import { OssError, CAUSE_EC } from '../../protocol/errors.js';
import { parseXml, xmlArray, type XmlValue } from '../../protocol/xml.js';
import { checkVersionId } from '../storage/versions.js';
import { receiveSmallBody } from '../ingest/body-reader.js';
import { sendEmpty, sendXml } from '../exchange/reply.js';
import { assertBucket } from './checks.js';
import { deletedEvent, emitEvent, type Handler } from './handler.js';
import { keyEncoding } from './params.js';
import { requestHeader } from '../exchange/request-target.js';

/** docs/protocol.md#delete-multiple-objects, docs/protocol.md#limits: at most 1000 keys and 2 MB of XML, else
 * MalformedXML. */
const MAX_KEYS = 1000;
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** One `<Object>` of the request: a key, and the version to delete for good (docs/protocol.md#versioning). */
export interface DeleteEntry {
  key: string;
  versionId?: string;
}

/**
 * The objects to delete and the Quiet flag; an Object without Key is MalformedXML (EC 0016-00000613), one with an
 * empty VersionId too (EC 0016-00000612, https://help.aliyun.com/document_detail/601224.html); a VersionId no OSS
 * version could have is InvalidArgument, before anything is deleted.
 */
export function parseDeleteRequest(text: string): { quiet: boolean; entries: DeleteEntry[] } {
  const root = parseXml(text).Delete;
  if (root === undefined || typeof root !== 'object' || root === null) throw new OssError('MalformedXML');
  const doc = root as Record<string, unknown>;
  const objects = xmlArray(doc.Object as unknown[] | undefined);
  if (objects.length > MAX_KEYS) throw new OssError('MalformedXML', { message: `At most ${MAX_KEYS} keys.` });
  const entries = objects.map((o): DeleteEntry => {
    const object = typeof o === 'object' && o !== null ? (o as Record<string, unknown>) : {};
    const key = object.Key;
    if (typeof key !== 'string' || key === '')
      throw new OssError('MalformedXML', { ec: CAUSE_EC.deleteObjectWithoutKey });
    if (!('VersionId' in object)) return { key };
    const versionId = object.VersionId;
    if (typeof versionId !== 'string' || versionId === '') {
      throw new OssError('MalformedXML', { ec: CAUSE_EC.deleteEmptyVersionId });
    }
    checkVersionId(versionId);
    return { key, versionId };
  });
  const quiet = typeof doc.Quiet === 'string' && doc.Quiet.trim().toLowerCase() === 'true';
  return { quiet, entries };
}

export const deleteMultipleObjects: Handler = async (ex, s) => {
  const bucket = ex.ctx.bucket!;
  const enc = keyEncoding(ex.query);
  // Content-MD5 is mandatory here (docs/protocol.md#delete-multiple-objects, EC 0016-00000606); a wrong one is
  // InvalidDigest.
  const contentMd5 = requestHeader(ex.req, 'content-md5');
  if (contentMd5 === undefined) {
    throw new OssError('MissingArgument', {
      message: 'Missing Some Required Arguments: Content-MD5.',
      ec: CAUSE_EC.deleteWithoutContentMd5,
      extra: { ArgumentName: 'Content-MD5' },
    });
  }
  const body = await receiveSmallBody(ex, s.control, MAX_BODY_BYTES);
  if (createHash('md5').update(body).digest('base64') !== contentMd5.trim()) throw new OssError('InvalidDigest');
  const { quiet, entries } = parseDeleteRequest(body.toString('utf8'));
  await assertBucket(s, bucket);
  // Keys that did not exist are reported as deleted, as S3 does (docs/protocol.md#delete-multiple-objects, unconfirmed
  // for OSS). In a versioned bucket an entry without VersionId adds a delete marker, one with it deletes that version
  // for good (docs/protocol.md#versioning).
  const deleted: XmlValue[] = [];
  for (const { key, versionId } of entries) {
    const outcome = await s.store.deleteObject(bucket, key, versionId === undefined ? {} : { versionId });
    if (outcome.changed) emitEvent(ex, s, deletedEvent(outcome), key);
    deleted.push({
      Key: enc.encode(key),
      VersionId: versionId,
      DeleteMarker: outcome.deleteMarker ? true : undefined,
      DeleteMarkerVersionId: outcome.deleteMarker ? outcome.versionId : undefined,
    });
  }
  if (quiet) return sendEmpty(ex, 200);
  sendXml(ex, 'DeleteResult', { EncodingType: enc.type, Deleted: deleted });
};
