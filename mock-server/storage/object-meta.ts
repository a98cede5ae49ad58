// How each kind of write turns into the ObjectMeta that GET/HEAD/List report (docs/protocol.md#etags,
// docs/protocol.md#content-md5).

import { createHash } from 'node:crypto';
import { crc64Combine } from '../../protocol/crc64.js';
import { md5Hex, multipartEtag } from '../../protocol/etag.js';
import type { BodyDigest, MutableObjectFields, ObjectHeaders, ObjectMeta, ObjectTag, PartInfo } from './store.js';

/** OSS reports times in whole seconds (XML `.000Z`, docs/protocol.md#dates); stored times are truncated so every view
 * agrees. */
export function wholeSeconds(d: Date = new Date()): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/**
 * Headers are copied and frozen so neither the caller nor a reader can change a committed version. The fields are
 * listed one by one: whatever else a caller's object carries (a whole ObjectMeta, say) is not stored as a header.
 */
export function frozenHeaders(h: ObjectHeaders): ObjectHeaders {
  const headers: ObjectHeaders = {
    contentType: h.contentType,
    userMeta: Object.freeze({ ...h.userMeta }),
    storageClass: h.storageClass,
  };
  if (h.cacheControl !== undefined) headers.cacheControl = h.cacheControl;
  if (h.contentDisposition !== undefined) headers.contentDisposition = h.contentDisposition;
  if (h.contentEncoding !== undefined) headers.contentEncoding = h.contentEncoding;
  if (h.contentLanguage !== undefined) headers.contentLanguage = h.contentLanguage;
  if (h.expires !== undefined) headers.expires = h.expires;
  if (h.acl !== undefined && h.acl !== 'default') headers.acl = h.acl;
  if (h.tags !== undefined && h.tags.length > 0) headers.tags = frozenTags(h.tags);
  if (h.sse !== undefined) headers.sse = Object.freeze({ ...h.sse });
  if (h.symlinkTarget !== undefined) headers.symlinkTarget = h.symlinkTarget;
  return Object.freeze(headers);
}

export function frozenTags(tags: readonly ObjectTag[]): readonly ObjectTag[] {
  return Object.freeze(tags.map((t) => Object.freeze({ key: t.key, value: t.value })));
}

/** PutObject: ETag and Content-MD5 are the body's MD5 (docs/protocol.md#etags, docs/protocol.md#content-md5). */
export function normalMeta(
  bucket: string,
  key: string,
  headers: ObjectHeaders,
  body: BodyDigest,
  now: Date = new Date(),
): ObjectMeta {
  return Object.freeze({
    ...frozenHeaders(headers),
    bucket,
    key,
    size: body.size,
    etag: md5Hex(body.md5),
    crc64: body.crc64,
    contentMd5: body.md5.toString('base64'),
    lastModified: wholeSeconds(now),
    objectType: 'Normal',
  });
}

/**
 * AppendObject: the CRC is of the whole object (clients seed their CRC with it, docs/protocol.md#crc-64); headers count
 * only when the append creates the object (docs/protocol.md#appendobject). OSS's appendable ETags are not MD5s and no
 * SDK checks them (docs/protocol.md#etags); ours is MD5("appendable:<size>:<crc64>"): derived from persisted fields, so
 * it survives a restart, and new for every append since the size grows.
 */
export function appendedMeta(
  bucket: string,
  key: string,
  headers: ObjectHeaders,
  previous: ObjectMeta | undefined,
  body: BodyDigest,
  now: Date = new Date(),
): ObjectMeta {
  const size = (previous?.size ?? 0) + body.size;
  const crc64 = previous ? crc64Combine(previous.crc64, body.crc64, body.size) : body.crc64;
  return Object.freeze({
    ...(previous ?? { ...frozenHeaders(headers), bucket, key }),
    size,
    crc64,
    etag: appendableEtag(size, crc64),
    lastModified: wholeSeconds(now),
    objectType: 'Appendable',
  });
}

export function appendableEtag(size: number, crc: bigint): string {
  return createHash('md5').update(`appendable:${size}:${crc}`).digest('hex').toUpperCase();
}

/** CompleteMultipartUpload: ETag from the part ETags (docs/protocol.md#etags), CRC combined from the part CRCs
 * (docs/protocol.md#crc-64). */
export function multipartMeta(
  bucket: string,
  key: string,
  headers: ObjectHeaders,
  parts: readonly PartInfo[],
  now: Date = new Date(),
): ObjectMeta {
  let size = 0;
  let crc = 0n; // CRC-64 of the empty string
  for (const part of parts) {
    crc = crc64Combine(crc, part.crc64, part.size);
    size += part.size;
  }
  return Object.freeze({
    ...frozenHeaders(headers),
    bucket,
    key,
    size,
    etag: multipartEtag(parts.map((p) => p.etag)),
    crc64: crc,
    lastModified: wholeSeconds(now),
    objectType: 'Multipart',
  });
}

/**
 * PutSymlink: no bytes of its own. OSS answers PutSymlink with an ETag (developer-reference/putsymlink) but says
 * nothing of how it is made; ours is MD5 of the target key, so it survives a restart. Size and ETag are replaced by
 * the target's when the link is read (docs/protocol.md#symlinks).
 */
export function symlinkMeta(
  bucket: string,
  key: string,
  headers: ObjectHeaders & { symlinkTarget: string },
): ObjectMeta {
  return Object.freeze({
    ...frozenHeaders(headers),
    bucket,
    key,
    size: 0,
    etag: createHash('md5').update(headers.symlinkTarget, 'utf8').digest('hex').toUpperCase(),
    crc64: 0n,
    lastModified: wholeSeconds(),
    objectType: 'Symlink',
  });
}

/** updateObjectMeta's fields applied to a committed version (undefined removes a field). */
export function withMutableFields(meta: ObjectMeta, fields: Partial<MutableObjectFields>): ObjectMeta {
  const next: ObjectMeta = { ...meta };
  for (const name of ['tags', 'acl', 'restore'] as const) {
    if (!(name in fields)) continue;
    const value = fields[name];
    if (value === undefined) delete next[name];
    else Object.assign(next, { [name]: value });
  }
  if (next.acl === 'default') delete next.acl;
  if (next.tags !== undefined) {
    if (next.tags.length === 0) delete next.tags;
    else next.tags = frozenTags(next.tags);
  }
  if (next.restore !== undefined) next.restore = Object.freeze({ ...next.restore });
  return Object.freeze(next);
}

export function partInfo(partNumber: number, body: BodyDigest, now: Date = new Date()): PartInfo {
  return Object.freeze({
    partNumber,
    etag: md5Hex(body.md5),
    size: body.size,
    crc64: body.crc64,
    lastModified: wholeSeconds(now),
  });
}
