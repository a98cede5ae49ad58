// How each kind of write turns into the ObjectMeta that GET/HEAD/List report (reference/oss-api.md §2.2-§2.5).

import { createHash } from 'node:crypto';
import { crc64Combine } from '../../protocol/crc64.js';
import { md5Hex, multipartEtag } from '../../protocol/etag.js';
import type { BodyDigest, ObjectHeaders, ObjectMeta, PartInfo } from './store.js';

/** OSS reports times in whole seconds (XML `.000Z`, §2.6); stored times are truncated so every view agrees. */
export function wholeSeconds(d: Date = new Date()): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** Headers are copied and frozen so neither the caller nor a reader can change a committed version. */
export function frozenHeaders(h: ObjectHeaders): ObjectHeaders {
  return Object.freeze({ ...h, userMeta: Object.freeze({ ...h.userMeta }) });
}

/** PutObject: ETag and Content-MD5 are the body's MD5 (§2.2, §2.5). */
export function normalMeta(bucket: string, key: string, headers: ObjectHeaders, body: BodyDigest): ObjectMeta {
  return Object.freeze({
    ...frozenHeaders(headers),
    bucket,
    key,
    size: body.size,
    etag: md5Hex(body.md5),
    crc64: body.crc64,
    contentMd5: body.md5.toString('base64'),
    lastModified: wholeSeconds(),
    objectType: 'Normal',
  });
}

/**
 * AppendObject: the CRC is of the whole object (clients seed their CRC with it, §2.4); headers count only when the
 * append creates the object (§6.7). OSS's appendable ETags are not MD5s and no SDK checks them (§2.2); ours is
 * MD5("appendable:<size>:<crc64>"): derived from persisted fields, so it survives a restart, and new for every
 * append since the size grows.
 */
export function appendedMeta(
  bucket: string,
  key: string,
  headers: ObjectHeaders,
  previous: ObjectMeta | undefined,
  body: BodyDigest,
): ObjectMeta {
  const size = (previous?.size ?? 0) + body.size;
  const crc64 = previous ? crc64Combine(previous.crc64, body.crc64, body.size) : body.crc64;
  return Object.freeze({
    ...(previous ?? { ...frozenHeaders(headers), bucket, key }),
    size,
    crc64,
    etag: appendableEtag(size, crc64),
    lastModified: wholeSeconds(),
    objectType: 'Appendable',
  });
}

export function appendableEtag(size: number, crc: bigint): string {
  return createHash('md5').update(`appendable:${size}:${crc}`).digest('hex').toUpperCase();
}

/** CompleteMultipartUpload: ETag from the part ETags (§2.3), CRC combined from the part CRCs (§2.4). */
export function multipartMeta(
  bucket: string,
  key: string,
  headers: ObjectHeaders,
  parts: readonly PartInfo[],
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
    lastModified: wholeSeconds(),
    objectType: 'Multipart',
  });
}

export function partInfo(partNumber: number, body: BodyDigest): PartInfo {
  return Object.freeze({
    partNumber,
    etag: md5Hex(body.md5),
    size: body.size,
    crc64: body.crc64,
    lastModified: wholeSeconds(),
  });
}
