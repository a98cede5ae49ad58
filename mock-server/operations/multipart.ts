// Multipart handlers (docs/protocol.md#multipart): Initiate, UploadPart, UploadPartCopy, ListParts,
// ListMultipartUploads, Complete, Abort. The store owns the upload-ID state machine; these only translate the wire.
import { ossUrlEncode, resolveAddress } from '../../protocol/addressing.js';
import { xmlTime } from '../../protocol/dates.js';
import { OssError, ecOf } from '../../protocol/errors.js';
import { quoteEtag } from '../../protocol/etag.js';
import { parseXml, xmlArray } from '../../protocol/xml.js';
import type { Exchange } from '../exchange/exchange.js';
import { receiveSmallBody } from '../ingest/body-reader.js';
import { sendEmpty, sendXml } from '../exchange/reply.js';
import { queryValue, requestHeader } from '../exchange/request-target.js';
import { compareKeys } from '../storage/key-order.js';
import { MAX_PART_NUMBER, MAX_PART_SIZE, MIN_PART_NUMBER } from '../storage/limits.js';
import { partNumberError } from '../storage/store-errors.js';
import type { CompletePartRef } from '../storage/store.js';
import { copyInto, receiveInto, requireBodyLength, withStagedBody } from './staging.js';
import { copySourceVersionHeaders, openCopySource, parseCopySource } from './copy-source.js';
import { versionHeaders } from './versioning.js';
import { committedEvent, emitEvent, objectTarget, type Handler } from './handler.js';
import { listPage } from './list-page.js';
import { assertBucket } from './checks.js';
import { forbidOverwriteOf, objectHeadersFromRequest } from './object-headers.js';
import { sseResponseHeaders } from './sse.js';
import { intParam, keyEncoding, textParam } from './params.js';

/** 10000 parts of ~100 bytes of XML each fit comfortably. */
const MAX_COMPLETE_BYTES = 5 * 1024 * 1024;

function uploadIdOf(ex: Exchange): string {
  return ex.query.uploadId ?? '';
}

/** 1..10000, else 400 InvalidArgument with ArgumentName/ArgumentValue (docs/protocol.md#multipart). */
export function parsePartNumber(raw: string | undefined): number {
  const n = raw !== undefined && /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= MIN_PART_NUMBER && n <= MAX_PART_NUMBER)) throw partNumberError(raw ?? '');
  return n;
}

export const initiateMultipartUpload: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const enc = keyEncoding(ex.query);
  const info = await assertBucket(s, bucket);
  const headers = objectHeadersFromRequest(ex, info);
  const upload = await s.store.initiateUpload(bucket, key, headers, { forbidOverwrite: forbidOverwriteOf(ex) });
  ex.ctx.uploadId = upload.uploadId;
  emitEvent(ex, s, { type: 'upload.initiated' });
  sendXml(
    ex,
    'InitiateMultipartUploadResult',
    { Bucket: bucket, Key: enc.encode(key), UploadId: upload.uploadId, EncodingType: enc.type },
    sseResponseHeaders(headers.sse),
  );
};

export const uploadPart: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const partNumber = parsePartNumber(ex.query.partNumber);
  const uploadId = uploadIdOf(ex);
  // A dead upload ID is refused before its body is read (docs/protocol.md#multipart)
  await s.store.assertUploadOpen(bucket, key, uploadId, ecOf('UploadPart', 'NoSuchUpload'));
  requireBodyLength(ex);
  const part = await withStagedBody(s, async (staged) => {
    await receiveInto(ex, s, staged, MAX_PART_SIZE);
    return s.store.putPart(bucket, key, uploadId, partNumber, staged, ecOf('UploadPart', 'NoSuchUpload'));
  });
  emitEvent(ex, s, { type: 'part.stored', size: part.size, etag: part.etag });
  // ali-oss throws without the ETag header (docs/protocol.md#etags); the part CRC lets SDKs combine the object's
  // (docs/protocol.md#crc-64)
  sendEmpty(ex, 200, { ETag: quoteEtag(part.etag), 'x-oss-hash-crc64ecma': part.crc64 });
};

export const uploadPartCopy: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const partNumber = parsePartNumber(ex.query.partNumber);
  const uploadId = uploadIdOf(ex);
  const source = parseCopySource(requestHeader(ex.req, 'x-oss-copy-source')!);
  await s.store.assertUploadOpen(bucket, key, uploadId, ecOf('UploadPartCopy', 'NoSuchUpload'));
  const opened = await openCopySource(s, ex, source, requestHeader(ex.req, 'x-oss-copy-source-range'));
  if (opened === 'not-modified') return sendEmpty(ex, 304);
  const sourceVersion = opened.meta;
  const part = await withStagedBody(s, async (staged) => {
    await copyInto(ex, opened.body, staged);
    return s.store.putPart(bucket, key, uploadId, partNumber, staged, ecOf('UploadPartCopy', 'NoSuchUpload'));
  });
  emitEvent(ex, s, { type: 'part.stored', size: part.size, etag: part.etag });
  const { range } = opened;
  sendXml(
    ex,
    'CopyPartResult',
    { LastModified: xmlTime(part.lastModified), ETag: quoteEtag(part.etag) },
    {
      ETag: quoteEtag(part.etag),
      'x-oss-hash-crc64ecma': part.crc64,
      'Content-Range': range && `bytes ${range.start}-${range.end}/${opened.meta.size}`,
      ...copySourceVersionHeaders(sourceVersion),
    },
  );
};

export const listParts: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const uploadId = uploadIdOf(ex);
  const enc = keyEncoding(ex.query);
  const maxParts = intParam(ex.query, 'max-parts', { min: 1, max: 1000, fallback: 1000 });
  const marker = intParam(ex.query, 'part-number-marker', { min: 0, max: MAX_PART_NUMBER, fallback: 0 });
  const after = (await s.store.listParts(bucket, key, uploadId)).filter((p) => p.partNumber > marker);
  const page = after.slice(0, maxParts);
  sendXml(ex, 'ListPartsResult', {
    Bucket: bucket,
    Key: enc.encode(key),
    UploadId: uploadId,
    PartNumberMarker: marker,
    // always present: oss2 raises without it (docs/protocol.md#multipart); the C++ resumable uploader follows it
    NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
    MaxParts: maxParts,
    IsTruncated: after.length > maxParts,
    EncodingType: enc.type,
    Part: page.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: xmlTime(p.lastModified),
      ETag: quoteEtag(p.etag),
      HashCrc64ecma: p.crc64,
      Size: p.size,
    })),
  });
};

export const listMultipartUploads: Handler = async (ex, s) => {
  const bucket = ex.ctx.bucket!;
  const enc = keyEncoding(ex.query);
  const prefix = textParam(ex.query, 'prefix');
  const delimiter = queryValue(ex.query, 'delimiter') ?? '';
  const keyMarker = textParam(ex.query, 'key-marker');
  // upload-id-marker only counts together with key-marker (docs/protocol.md#multipart)
  const uploadIdMarker = keyMarker === '' ? '' : (queryValue(ex.query, 'upload-id-marker') ?? '');
  const max = intParam(ex.query, 'max-uploads', { min: 1, max: 1000, fallback: 1000 });
  const uploads = (await s.store.listUploads(bucket)).filter((u) => {
    const c = compareKeys(u.key, keyMarker);
    return keyMarker === '' || c > 0 || (c === 0 && uploadIdMarker !== '' && u.uploadId > uploadIdMarker);
  });
  const page = listPage({ items: uploads, keyOf: (u) => u.key, prefix, delimiter, max, marker: keyMarker });
  const lastEntry = page.entries.at(-1);
  const next =
    lastEntry === undefined
      ? { key: '', uploadId: '' }
      : lastEntry.kind === 'item'
        ? { key: lastEntry.key, uploadId: lastEntry.item.uploadId }
        : { key: lastEntry.prefix, uploadId: '' };
  sendXml(ex, 'ListMultipartUploadsResult', {
    Bucket: bucket,
    KeyMarker: enc.encode(keyMarker),
    UploadIdMarker: uploadIdMarker,
    // oss2 requires both Next* elements and IsTruncated, even when empty (docs/protocol.md#multipart)
    NextKeyMarker: enc.encode(next.key),
    NextUploadIdMarker: next.uploadId,
    Delimiter: enc.encode(delimiter),
    Prefix: enc.encode(prefix),
    MaxUploads: max,
    IsTruncated: page.truncated,
    EncodingType: enc.type,
    Upload: page.entries.flatMap((e) =>
      e.kind === 'item'
        ? [{ Key: enc.encode(e.key), UploadId: e.item.uploadId, Initiated: xmlTime(e.item.initiated) }]
        : [],
    ),
    CommonPrefixes: page.entries.flatMap((e) => (e.kind === 'prefix' ? [{ Prefix: enc.encode(e.prefix) }] : [])),
  });
};

/**
 * The `<CompleteMultipartUpload>` body (docs/protocol.md#multipart): at least one Part, each with an integer PartNumber
 * and an ETag (in any quoting; Go sends `&#34;`). Order and existence are the store's to judge (InvalidPartOrder,
 * InvalidPart).
 */
export function parseCompleteRequest(text: string): CompletePartRef[] {
  const root = parseXml(text).CompleteMultipartUpload;
  if (typeof root !== 'object' || root === null) throw new OssError('MalformedXML');
  const parts = xmlArray((root as Record<string, unknown>).Part as unknown[] | undefined);
  if (parts.length === 0) throw new OssError('MalformedXML');
  return parts.map((p) => {
    const part = typeof p === 'object' && p !== null ? (p as Record<string, unknown>) : {};
    const { PartNumber: number, ETag: etag } = part;
    if (typeof number !== 'string' || !/^\s*\d+\s*$/.test(number) || typeof etag !== 'string') {
      throw new OssError('MalformedXML');
    }
    return { partNumber: parsePartNumber(number.trim()), etag };
  });
}

export const completeMultipartUpload: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const uploadId = uploadIdOf(ex);
  const enc = keyEncoding(ex.query);
  await s.store.assertUploadOpen(bucket, key, uploadId, ecOf('CompleteMultipartUpload', 'NoSuchUpload'));
  const contentMd5 = requestHeader(ex.req, 'content-md5');
  const text = (
    await receiveSmallBody(ex, s.control, MAX_COMPLETE_BYTES, contentMd5 === undefined ? {} : { contentMd5 })
  ).toString('utf8');
  let parts: CompletePartRef[] | 'all';
  if (requestHeader(ex.req, 'x-oss-complete-all')?.trim().toLowerCase() === 'yes') {
    if (text.trim() !== '') {
      throw new OssError('InvalidArgument', {
        message: 'Should not speficy both complete all header and http body.',
        ec: ecOf('CompleteMultipartUpload', 'InvalidArgument'),
      });
    }
    parts = 'all';
  } else {
    parts = parseCompleteRequest(text);
  }
  const meta = await s.store.completeUpload(bucket, key, uploadId, parts, { forbidOverwrite: forbidOverwriteOf(ex) });
  emitEvent(ex, s, { type: 'upload.completed' });
  emitEvent(ex, s, committedEvent(meta));
  // the URL the client would use for the object: the bucket is in the Host when it addressed us virtual-hosted
  const virtual = resolveAddress({ host: ex.host, path: '/', baseDomains: s.config.baseDomains }).style === 'virtual';
  const location = `http://${ex.host}/${virtual ? '' : `${bucket}/`}${ossUrlEncode(key)}`;
  // ETag in the header as well: ali-oss reads it from there (docs/protocol.md#etags)
  sendXml(
    ex,
    'CompleteMultipartUploadResult',
    { EncodingType: enc.type, Location: location, Bucket: bucket, Key: enc.encode(key), ETag: quoteEtag(meta.etag) },
    {
      ETag: quoteEtag(meta.etag),
      'x-oss-hash-crc64ecma': meta.crc64,
      ...sseResponseHeaders(meta.sse),
      ...versionHeaders(meta),
    },
  );
};

export const abortMultipartUpload: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  await s.store.abortUpload(bucket, key, uploadIdOf(ex));
  emitEvent(ex, s, { type: 'upload.aborted' });
  sendEmpty(ex, 204);
};
