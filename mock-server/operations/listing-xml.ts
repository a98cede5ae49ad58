// The entries of ListObjects (v1, v2) and ListObjectVersions written straight into a string. A page holds up to
// 1,000 entries of six to ten elements each; building an object per entry and walking it with the generic writer
// (buildXml) was most of a page's server time. The bytes are the generic writer's for the same elements, in the same
// order (listing-xml.test.ts compares the two), and the text goes through the same escapeXmlText.
import { xmlTime } from '../../protocol/dates.js';
import { quoteEtag } from '../../protocol/etag.js';
import { escapeXmlText as text } from '../../protocol/xml.js';
import { NULL_VERSION_ID, type ObjectMeta, type ObjectVersion } from '../storage/store.js';
import { OWNER } from './owner.js';
import { restoreHeader } from './restore-state.js';

export interface EntryContext {
  /** the key encoding of the request (encoding-type=url or none) */
  encode: (s: string) => string;
  /** the time the restore state of archived objects is judged at: the request's */
  now: Date;
}

// ali-oss dereferences Contents/Owner/ID in v1 and Owner.ID of every version and delete marker
// (docs/protocol.md#listing, lib/common/object/getBucketVersions.js)
const OWNER_XML = `<Owner><ID>${text(OWNER.ID)}</ID><DisplayName>${text(OWNER.DisplayName)}</DisplayName></Owner>`;

/** The elements every Contents and Version carries after LastModified; `Type`, `StorageClass`, `Size`, `ETag`,
 * `LastModified`, `Key` are required by oss2 in every Contents (docs/protocol.md#listing). */
function objectTail(meta: ObjectMeta, c: EntryContext): string {
  let out =
    `<LastModified>${xmlTime(meta.lastModified)}</LastModified>` +
    `<ETag>${text(quoteEtag(meta.etag))}</ETag>` +
    `<Type>${text(meta.objectType)}</Type>` +
    `<Size>${meta.size}</Size>` +
    `<StorageClass>${text(meta.storageClass)}</StorageClass>`;
  // ali-oss (lib/object.js parseRestoreInfo) and the Go SDK v2 read it for archived objects being or once restored
  const restore = restoreHeader(meta, c.now);
  if (restore !== undefined) out += `<RestoreInfo>${text(restore)}</RestoreInfo>`;
  return out;
}

/** One `<Contents>` of ListObjects v1/v2; the Owner is always in v1, in v2 with fetch-owner=true. */
export function contentsXml(meta: ObjectMeta, c: EntryContext, withOwner: boolean): string {
  return `<Contents><Key>${text(c.encode(meta.key))}</Key>${objectTail(meta, c)}${withOwner ? OWNER_XML : ''}</Contents>`;
}

/** One `<Version>` or `<DeleteMarker>` of ListObjectVersions. */
export function versionXml(v: ObjectVersion, c: EntryContext): string {
  if (v.kind === 'marker') {
    const m = v.marker;
    return (
      `<DeleteMarker><Key>${text(c.encode(m.key))}</Key><VersionId>${text(m.versionId)}</VersionId>` +
      `<IsLatest>${v.isLatest}</IsLatest><LastModified>${xmlTime(m.lastModified)}</LastModified>${OWNER_XML}` +
      `</DeleteMarker>`
    );
  }
  const meta = v.meta;
  return (
    `<Version><Key>${text(c.encode(meta.key))}</Key><VersionId>${text(meta.versionId ?? NULL_VERSION_ID)}</VersionId>` +
    `<IsLatest>${v.isLatest}</IsLatest>${objectTail(meta, c)}${OWNER_XML}</Version>`
  );
}

/** One `<CommonPrefixes>` of any listing. */
export function commonPrefixXml(prefix: string, c: EntryContext): string {
  return `<CommonPrefixes><Prefix>${text(c.encode(prefix))}</Prefix></CommonPrefixes>`;
}
