// Versioned buckets over the store's index (docs/protocol.md#versioning): which version a request addresses, the IDs
// new versions get, and the pages of ListObjectVersions. Pure functions of the state; the store commits the changes.

import { randomBytes } from 'node:crypto';
import { OssError } from '../../protocol/errors.js';
import { noSuchKey } from './store-errors.js';
import { isVersioned, type BucketState, type StoredObject, type VersionRecord } from './state.js';
import {
  NULL_VERSION_ID,
  type ListVersionsOptions,
  type ObjectVersion,
  type VersionPage,
  type VersioningStatus,
} from './store.js';

/**
 * Version IDs as OSS writes them look like `CAEQNhiBgMDJgZCA0BYiIDc4MGZj...` (developer-reference/getobject, the
 * x-oss-version-id samples): the mock's are `CAEQ` and 56 random URL-safe base64 characters. `null` names the null
 * version.
 */
export function newVersionId(): string {
  return `CAEQ${randomBytes(42).toString('base64url')}`;
}

/** What the mock accepts as a version ID: `null`, or the shape OSS's IDs have (the samples' alphabet, `.` and `_`). */
const VERSION_ID = /^CAEQ[A-Za-z0-9._=+/-]{8,252}$/;

/**
 * InvalidArgument for a versionId no OSS version could have (an empty one too: aliyun-oss-python-sdk
 * tests/test_object_versioning.py expects `versionId=` and a bare `versionId` to fail).
 */
export function checkVersionId(versionId: string): void {
  if (versionId === NULL_VERSION_ID || VERSION_ID.test(versionId)) return;
  throw new OssError('InvalidArgument', {
    message: 'Invalid version id specified.',
    extra: { ArgumentName: 'versionId', ArgumentValue: versionId },
  });
}

/** The ID the next version written now gets: a new one while Enabled, the null version while Suspended. */
export function nextVersionId(status: VersioningStatus | undefined): string | undefined {
  if (status === undefined) return undefined;
  return status === 'Enabled' ? newVersionId() : NULL_VERSION_ID;
}

export function noSuchVersion(key: string, versionId: string): OssError {
  return new OssError('NoSuchVersion', { extra: { Key: key, VersionId: versionId } });
}

/**
 * A request for a delete marker by version (developer-reference/getobject sample: 405, `x-oss-delete-marker: true`,
 * the marker's version ID, `Allow: DELETE`, and `<Method>`/`<ResourceType>DeleteMarker` in the body; exchange/reply.ts fills in
 * the request's method).
 */
export function deleteMarkerNotAllowed(versionId: string): OssError {
  return new OssError('MethodNotAllowed', {
    extra: { Method: '', ResourceType: 'DeleteMarker' },
    headers: { 'x-oss-delete-marker': 'true', 'x-oss-version-id': versionId, Allow: 'DELETE' },
  });
}

/** NoSuchKey for a key whose current version is a delete marker carries the marker (getobject sample). */
function deletedKey(key: string, marker: VersionRecord<unknown> | undefined): OssError {
  const err = noSuchKey(key);
  if (marker !== undefined && 'marker' in marker) {
    return new OssError('NoSuchKey', {
      extra: err.extra,
      headers: { 'x-oss-delete-marker': 'true', 'x-oss-version-id': marker.versionId },
    });
  }
  return err;
}

/** A key's versions, newest first: in an unversioned bucket its one object, as the (unnamed) null version. */
export function versionsOf<B>(bucket: BucketState<B>, key: string): VersionRecord<B>[] {
  if (isVersioned(bucket)) return bucket.versions.get(key) ?? [];
  const object = bucket.objects.get(key);
  return object === undefined ? [] : [{ versionId: NULL_VERSION_ID, object }];
}

/**
 * The object version a read addresses: the current one (NoSuchKey, with the delete marker when that is current), or
 * the one `versionId` names (InvalidArgument, NoSuchVersion, MethodNotAllowed for a delete marker).
 */
export function addressedObject<B>(bucket: BucketState<B>, key: string, versionId?: string): StoredObject<B> {
  if (versionId === undefined) {
    const current = bucket.objects.get(key);
    if (current !== undefined) return current;
    throw deletedKey(key, isVersioned(bucket) ? bucket.versions.get(key)?.[0] : undefined);
  }
  checkVersionId(versionId);
  const record = versionsOf(bucket, key).find((r) => r.versionId === versionId);
  if (record === undefined) throw noSuchVersion(key, versionId);
  if ('marker' in record) throw deleteMarkerNotAllowed(versionId);
  return record.object;
}

function versionEntry<B>(bucketName: string, key: string, record: VersionRecord<B>, isLatest: boolean): ObjectVersion {
  return 'object' in record
    ? { kind: 'object', meta: record.object.meta, isLatest }
    : {
        kind: 'marker',
        marker: { bucket: bucketName, key, versionId: record.versionId, lastModified: record.marker.lastModified },
        isLatest,
      };
}

/** Every version after the markers, in listing order: keys ascending (byte order), each key's versions newest first. */
function* versionsAfter<B>(bucket: BucketState<B>, o: ListVersionsOptions): Generator<ObjectVersion> {
  const prefix = o.prefix ?? '';
  const keyMarker = o.keyMarker ?? '';
  if (o.versionIdMarker !== undefined && keyMarker !== '' && keyMarker.startsWith(prefix)) {
    // the rest of the marker key's versions first: those older than the marker version
    const records = versionsOf(bucket, keyMarker);
    const at = records.findIndex((r) => r.versionId === o.versionIdMarker);
    if (at >= 0) {
      for (let i = at + 1; i < records.length; i++) {
        yield versionEntry(bucket.info.name, keyMarker, records[i]!, i === 0);
      }
    }
  }
  const keys = isVersioned(bucket) ? bucket.versionKeys : bucket.keys;
  const delimiter = o.delimiter ?? '';
  // a key under the delimiter stands for its whole common prefix: the walk skips the prefix's other keys
  const rollUp = (key: string): string | undefined => commonPrefixOf(key, prefix, delimiter);
  for (const key of keys.rangeRolledUp(prefix, keyMarker, rollUp)) {
    const records = versionsOf(bucket, key);
    for (let i = 0; i < records.length; i++) yield versionEntry(bucket.info.name, key, records[i]!, i === 0);
  }
}

/** The common prefix `key` rolls up into under `delimiter` ('' = none), or undefined. */
function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  if (delimiter === '') return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

function keyOf(v: ObjectVersion): string {
  return v.kind === 'object' ? v.meta.key : v.marker.key;
}

function versionIdOf(v: ObjectVersion): string {
  return v.kind === 'object' ? (v.meta.versionId ?? NULL_VERSION_ID) : v.marker.versionId;
}

/**
 * One page of ListObjectVersions (developer-reference/listobjectversions): up to maxKeys entries, a key under the
 * delimiter rolled up into one common prefix (which counts as an entry); NextKeyMarker/NextVersionIdMarker name the
 * last entry (a common prefix gives only NextKeyMarker). Lazy: reads one entry past the page.
 */
export function versionPage<B>(bucket: BucketState<B>, o: ListVersionsOptions): VersionPage {
  const prefix = o.prefix ?? '';
  const delimiter = o.delimiter ?? '';
  const entries: VersionPage['entries'] = [];
  let lastPrefix: string | undefined;
  let truncated = false;
  for (const version of versionsAfter(bucket, o)) {
    const common = commonPrefixOf(keyOf(version), prefix, delimiter);
    // a prefix already listed, on this page or (it was the key marker) an earlier one
    if (common !== undefined && (common === lastPrefix || common === o.keyMarker)) continue;
    if (entries.length === o.maxKeys) {
      truncated = true;
      break;
    }
    if (common === undefined) {
      entries.push({ kind: 'version', version });
    } else {
      entries.push({ kind: 'prefix', prefix: common });
      lastPrefix = common;
    }
  }
  const page: VersionPage = { entries, truncated };
  const last = entries.at(-1);
  if (truncated && last !== undefined) {
    if (last.kind === 'prefix') {
      page.nextKeyMarker = last.prefix;
    } else {
      page.nextKeyMarker = keyOf(last.version);
      page.nextVersionIdMarker = versionIdOf(last.version);
    }
  }
  return page;
}
