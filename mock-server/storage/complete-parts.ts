// CompleteMultipartUpload's part selection and validation, in the order of docs/protocol.md#multipart (NoSuchUpload and
// MalformedXML are decided before this runs).

import { OssError } from '../../protocol/errors.js';
import { normalizeEtag } from '../../protocol/etag.js';
import { MIN_PART_SIZE } from './limits.js';
import type { StoredPart } from './state.js';
import type { CompletePartRef } from './store.js';
import { checkPartNumber } from './store-errors.js';

/**
 * The stored parts that make up the object, in list order. 'all' (x-oss-complete-all) takes every stored part in number
 * order. Throws InvalidArgument / InvalidPartOrder, then InvalidPart, then EntityTooSmall: each rule is checked over
 * the whole list before the next, as OSS reports the first failing rule. The PartNumber/ETag/ProposedSize elements
 * follow S3 (unconfirmed for OSS, docs/protocol.md#error-envelope; no SDK reads them): they tell a test which part was
 * refused.
 */
export function selectParts<B>(
  stored: ReadonlyMap<number, StoredPart<B>>,
  refs: readonly CompletePartRef[] | 'all',
): StoredPart<B>[] {
  const parts = refs === 'all' ? allParts(stored) : listedParts(stored, refs);
  parts.forEach((part, i) => {
    if (i < parts.length - 1 && part.info.size < MIN_PART_SIZE) {
      throw new OssError('EntityTooSmall', {
        extra: { PartNumber: String(part.info.partNumber), ProposedSize: String(part.info.size) },
      });
    }
  });
  return parts;
}

function allParts<B>(stored: ReadonlyMap<number, StoredPart<B>>): StoredPart<B>[] {
  // Completing nothing has no documented outcome; an upload with no part cannot name a part that exists (inferred).
  if (stored.size === 0) throw new OssError('InvalidPart', { message: 'The upload has no part to complete.' });
  return [...stored.values()].sort((a, b) => a.info.partNumber - b.info.partNumber);
}

function listedParts<B>(stored: ReadonlyMap<number, StoredPart<B>>, refs: readonly CompletePartRef[]): StoredPart<B>[] {
  if (refs.length === 0) throw new OssError('MalformedXML');
  refs.forEach((ref, i) => {
    checkPartNumber(ref.partNumber);
    // Strictly ascending: a duplicate number is out of order too (docs/protocol.md#multipart item 4, unconfirmed for
    // duplicates).
    if (i > 0 && ref.partNumber <= refs[i - 1]!.partNumber) throw new OssError('InvalidPartOrder');
  });
  return refs.map((ref) => {
    const part = stored.get(ref.partNumber);
    if (!part || normalizeEtag(ref.etag) !== part.info.etag) {
      throw new OssError('InvalidPart', { extra: { PartNumber: String(ref.partNumber), ETag: ref.etag } });
    }
    return part;
  });
}
