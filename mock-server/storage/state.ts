// The store's index: what exists, as plain data. Every change is a Mutation applied by applyMutations, both live and
// when the file store replays its journal at open(), so recovery cannot drift from what the live store did.
//
// `B` is how a backend names stored bytes: the memory store holds the Buffers themselves, the file store the id of a
// data file. An object's bytes are a list of segments: one for PutObject, one per append for AppendObject, the listed
// parts for CompleteMultipartUpload. So append and complete never copy bytes.

import { KeyOrder } from './key-order.js';
import {
  NULL_VERSION_ID,
  type BucketAcl,
  type BucketInfo,
  type CorsConfiguration,
  type ObjectHeaders,
  type ObjectMeta,
  type PartInfo,
  type UploadInfo,
  type UploadStatus,
  type VersioningStatus,
} from './store.js';

export interface Segment<B> {
  blob: B;
  size: number;
}

export interface StoredObject<B> {
  meta: ObjectMeta;
  segments: Segment<B>[];
}

export interface StoredPart<B> {
  info: PartInfo;
  blob: B;
}

export interface OpenUpload<B> {
  info: UploadInfo;
  /** from InitiateMultipartUpload; the completed object gets them */
  headers: ObjectHeaders;
  parts: Map<number, StoredPart<B>>;
}

export interface FinishedUpload {
  bucket: string;
  key: string;
  status: Exclude<UploadStatus, 'initiated'>;
}

/** One version of a key in a versioned bucket: an object version, or a delete marker. */
export type VersionRecord<B> =
  { versionId: string; object: StoredObject<B> } | { versionId: string; marker: { lastModified: Date } };

export interface BucketState<B> {
  info: BucketInfo;
  /** the current version of each key that has one readable (not a delete marker): what reads and ListObjects see */
  objects: Map<string, StoredObject<B>>;
  /** initiated uploads only, by upload ID */
  uploads: Map<string, OpenUpload<B>>;
  /** the keys of `objects` */
  keys: KeyOrder;
  /**
   * Once versioning was set: every version of every key, newest first (the first is the current one; a key's
   * object versions are in `objects` too when the first is one). Empty while the bucket was never versioned: its
   * objects are then their only, unnamed versions.
   */
  versions: Map<string, VersionRecord<B>[]>;
  /** the keys of `versions` */
  versionKeys: KeyOrder;
}

/**
 * How many completed and aborted upload IDs the store remembers (for uploadStatus), oldest forgotten first. Only
 * introspection depends on it: over HTTP a finished ID and one never issued both answer NoSuchUpload, as on OSS.
 * Unbounded, a long-running mock grew by every multipart upload it ever saw (memory and file-store snapshot).
 */
export const FINISHED_UPLOADS_KEPT = 1000;

export interface StoreState<B> {
  buckets: Map<string, BucketState<B>>;
  /** the last FINISHED_UPLOADS_KEPT completed and aborted upload IDs, in the order they finished */
  finished: Map<string, FinishedUpload>;
}

export type Mutation<B> =
  | { type: 'createBucket'; info: BucketInfo }
  | { type: 'deleteBucket'; name: string }
  | { type: 'setBucketAcl'; name: string; acl: BucketAcl }
  /** cors absent: DeleteBucketCors */
  | { type: 'setBucketCors'; name: string; cors?: CorsConfiguration }
  /** the first one also names the bucket's existing objects the null version */
  | { type: 'setVersioning'; name: string; status: VersioningStatus }
  /** versioned bucket: a new current version (its meta names it); it replaces a version of the same ID (null) */
  | { type: 'putObject'; object: StoredObject<B> }
  /**
   * An appendable object (or a new one) grows by one segment under new meta: the batch names only the new segment,
   * so a journal line costs the same for the 5,000th append as for the first. In a versioned bucket the meta names
   * the version: the current one when it grows, a new one when the append creates the object.
   */
  | { type: 'appendObject'; meta: ObjectMeta; segment: Segment<B> }
  /**
   * the same bytes under new meta (tags, ACL, restore state): bucket, key and, in a versioned bucket, the version
   * come from the meta
   */
  | { type: 'updateMeta'; meta: ObjectMeta }
  /** unversioned bucket: the object goes */
  | { type: 'deleteObject'; bucket: string; key: string }
  /** versioned bucket: a delete marker becomes the current version (replacing a version of the same ID) */
  | { type: 'putDeleteMarker'; bucket: string; key: string; versionId: string; lastModified: Date }
  /** versioned bucket: one version goes for good; the next newest, if any, becomes current */
  | { type: 'deleteVersion'; bucket: string; key: string; versionId: string }
  | { type: 'initiateUpload'; info: UploadInfo; headers: ObjectHeaders }
  | { type: 'putPart'; bucket: string; uploadId: string; part: StoredPart<B> }
  | { type: 'finishUpload'; bucket: string; uploadId: string; status: FinishedUpload['status'] }
  | { type: 'reset' };

export function emptyState<B>(): StoreState<B> {
  return { buckets: new Map(), finished: new Map() };
}

export function emptyBucket<B>(info: BucketInfo): BucketState<B> {
  return {
    info,
    objects: new Map(),
    uploads: new Map(),
    keys: new KeyOrder(),
    versions: new Map(),
    versionKeys: new KeyOrder(),
  };
}

/** Whether `bucket` keeps versions (its versioning was set, Enabled or Suspended). */
export function isVersioned(bucket: BucketState<unknown>): boolean {
  return bucket.info.versioning !== undefined;
}

/** A stored object under another version ID (its meta is frozen, so a copy). */
export function withVersionId<B>(object: StoredObject<B>, versionId: string): StoredObject<B> {
  return Object.freeze({ meta: Object.freeze({ ...object.meta, versionId }), segments: object.segments });
}

/** A bucket holds nothing: no object version, no delete marker, no unfinished upload. */
export function isEmptyBucket(bucket: BucketState<unknown>): boolean {
  return bucket.objects.size === 0 && bucket.versions.size === 0 && bucket.uploads.size === 0;
}

/**
 * Makes `records` (newest first, non-empty or empty) the versions of `key`, and its first record (when an object)
 * the key's current object.
 */
export function setVersions<B>(bucket: BucketState<B>, key: string, records: VersionRecord<B>[]): void {
  if (records.length === 0) {
    bucket.versions.delete(key);
    bucket.versionKeys.delete(key);
  } else {
    bucket.versions.set(key, records);
    bucket.versionKeys.add(key);
  }
  const first = records[0];
  if (first !== undefined && 'object' in first) {
    bucket.objects.set(key, first.object);
    bucket.keys.add(key);
  } else {
    bucket.objects.delete(key);
    bucket.keys.delete(key);
  }
}

function segmentBlobs<B>(record: VersionRecord<B>): B[] {
  return 'object' in record ? record.object.segments.map((s) => s.blob) : [];
}

/**
 * Applies a batch and returns the blobs it left unreferenced (for the backend to free). A blob can move between
 * records inside one batch (Complete: from the upload's parts to the object), so a blob dropped by one mutation and
 * taken by another is not returned. Throws on a mutation that does not fit the state: live callers validated first,
 * so that means a corrupt journal.
 */
export function applyMutations<B>(state: StoreState<B>, mutations: readonly Mutation<B>[]): B[] {
  const taken = new Set<B>();
  const dropped: B[] = [];
  for (const m of mutations) applyOne(state, m, taken, dropped);
  return [...new Set(dropped)].filter((b) => !taken.has(b));
}

function applyOne<B>(state: StoreState<B>, m: Mutation<B>, taken: Set<B>, dropped: B[]): void {
  switch (m.type) {
    case 'createBucket':
      if (state.buckets.has(m.info.name)) throw inconsistent(m, 'bucket exists');
      state.buckets.set(m.info.name, emptyBucket(m.info));
      return;
    case 'deleteBucket': {
      const bucket = bucketOf(state, m.name, m);
      if (!isEmptyBucket(bucket)) throw inconsistent(m, 'bucket not empty');
      state.buckets.delete(m.name);
      return;
    }
    case 'setBucketAcl': {
      const bucket = bucketOf(state, m.name, m);
      bucket.info = Object.freeze({ ...bucket.info, acl: m.acl });
      return;
    }
    case 'setBucketCors': {
      const bucket = bucketOf(state, m.name, m);
      const { cors: _old, ...rest } = bucket.info;
      bucket.info = Object.freeze(m.cors === undefined ? rest : { ...rest, cors: m.cors });
      return;
    }
    case 'setVersioning': {
      const bucket = bucketOf(state, m.name, m);
      if (!isVersioned(bucket)) {
        // the objects written before versioning become the null version of their keys
        for (const [key, object] of bucket.objects) {
          setVersions(bucket, key, [{ versionId: NULL_VERSION_ID, object: withVersionId(object, NULL_VERSION_ID) }]);
        }
      }
      bucket.info = Object.freeze({ ...bucket.info, versioning: m.status });
      return;
    }
    case 'updateMeta': {
      const bucket = bucketOf(state, m.meta.bucket, m);
      const { key, versionId } = m.meta;
      if (!isVersioned(bucket)) {
        const old = bucket.objects.get(key);
        if (!old) throw inconsistent(m, `no object ${JSON.stringify(key)}`);
        bucket.objects.set(key, Object.freeze({ meta: m.meta, segments: old.segments }));
        return;
      }
      const records = bucket.versions.get(key) ?? [];
      const at = records.findIndex((r) => r.versionId === versionId && 'object' in r);
      if (at < 0) throw inconsistent(m, `no version ${JSON.stringify(versionId)} of ${JSON.stringify(key)}`);
      const old = records[at] as { versionId: string; object: StoredObject<B> };
      const next = [...records];
      next[at] = { versionId: old.versionId, object: Object.freeze({ meta: m.meta, segments: old.object.segments }) };
      setVersions(bucket, key, next);
      return;
    }
    case 'putObject': {
      const bucket = bucketOf(state, m.object.meta.bucket, m);
      const { key, versionId } = m.object.meta;
      for (const s of m.object.segments) taken.add(s.blob);
      if (!isVersioned(bucket)) {
        const old = bucket.objects.get(key);
        if (old) dropped.push(...old.segments.map((s) => s.blob));
        bucket.objects.set(key, m.object);
        bucket.keys.add(key);
        return;
      }
      if (versionId === undefined) throw inconsistent(m, 'a version without an ID in a versioned bucket');
      const records = bucket.versions.get(key) ?? [];
      for (const r of records) if (r.versionId === versionId) dropped.push(...segmentBlobs(r));
      setVersions(bucket, key, [{ versionId, object: m.object }, ...records.filter((r) => r.versionId !== versionId)]);
      return;
    }
    case 'appendObject': {
      const bucket = bucketOf(state, m.meta.bucket, m);
      const { key, versionId } = m.meta;
      const old = bucket.objects.get(key);
      // the old version's segments stay: they are the start of the new one
      const segments = Object.freeze([...(old?.segments ?? []), m.segment]) as Segment<B>[];
      taken.add(m.segment.blob);
      const object: StoredObject<B> = Object.freeze({ meta: m.meta, segments });
      if (!isVersioned(bucket)) {
        bucket.objects.set(key, object);
        bucket.keys.add(key);
        return;
      }
      if (versionId === undefined) throw inconsistent(m, 'a version without an ID in a versioned bucket');
      // the version grown keeps its segments; a version of the same ID replaced by a new object (null, while
      // Suspended) frees its own
      const records = bucket.versions.get(key) ?? [];
      for (const r of records) {
        if (r.versionId === versionId && !('object' in r && r.object === old)) dropped.push(...segmentBlobs(r));
      }
      setVersions(bucket, key, [{ versionId, object }, ...records.filter((r) => r.versionId !== versionId)]);
      return;
    }
    case 'deleteObject': {
      const bucket = bucketOf(state, m.bucket, m);
      if (isVersioned(bucket)) throw inconsistent(m, 'an unversioned delete in a versioned bucket');
      const old = bucket.objects.get(m.key);
      if (!old) return;
      dropped.push(...old.segments.map((s) => s.blob));
      bucket.objects.delete(m.key);
      bucket.keys.delete(m.key);
      return;
    }
    case 'putDeleteMarker': {
      const bucket = bucketOf(state, m.bucket, m);
      if (!isVersioned(bucket)) throw inconsistent(m, 'a delete marker in an unversioned bucket');
      const records = bucket.versions.get(m.key) ?? [];
      for (const r of records) if (r.versionId === m.versionId) dropped.push(...segmentBlobs(r));
      const marker: VersionRecord<B> = { versionId: m.versionId, marker: { lastModified: m.lastModified } };
      setVersions(bucket, m.key, [marker, ...records.filter((r) => r.versionId !== m.versionId)]);
      return;
    }
    case 'deleteVersion': {
      const bucket = bucketOf(state, m.bucket, m);
      const records = bucket.versions.get(m.key) ?? [];
      const gone = records.find((r) => r.versionId === m.versionId);
      if (gone === undefined) return;
      dropped.push(...segmentBlobs(gone));
      setVersions(
        bucket,
        m.key,
        records.filter((r) => r !== gone),
      );
      return;
    }
    case 'initiateUpload': {
      const bucket = bucketOf(state, m.info.bucket, m);
      if (bucket.uploads.has(m.info.uploadId) || state.finished.has(m.info.uploadId)) {
        throw inconsistent(m, 'upload ID reused');
      }
      bucket.uploads.set(m.info.uploadId, { info: m.info, headers: m.headers, parts: new Map() });
      return;
    }
    case 'putPart': {
      const upload = uploadOf(state, m.bucket, m.uploadId, m);
      const old = upload.parts.get(m.part.info.partNumber);
      if (old) dropped.push(old.blob);
      taken.add(m.part.blob);
      upload.parts.set(m.part.info.partNumber, m.part);
      return;
    }
    case 'finishUpload': {
      const upload = uploadOf(state, m.bucket, m.uploadId, m);
      dropped.push(...[...upload.parts.values()].map((p) => p.blob));
      state.buckets.get(m.bucket)!.uploads.delete(m.uploadId);
      state.finished.set(m.uploadId, { bucket: m.bucket, key: upload.info.key, status: m.status });
      // a Map iterates in insertion order: the first key finished longest ago (replay and snapshots keep the order)
      if (state.finished.size > FINISHED_UPLOADS_KEPT) state.finished.delete(state.finished.keys().next().value!);
      return;
    }
    case 'reset':
      dropped.push(...referencedBlobs(state));
      state.buckets.clear();
      state.finished.clear();
      return;
    default:
      throw inconsistent(m satisfies never, 'unknown mutation');
  }
}

/** Every blob the state points at: what the file store keeps when it collects garbage at open(). */
export function referencedBlobs<B>(state: StoreState<B>): Set<B> {
  const blobs = new Set<B>();
  for (const bucket of state.buckets.values()) {
    for (const object of bucket.objects.values()) for (const s of object.segments) blobs.add(s.blob);
    for (const records of bucket.versions.values())
      for (const r of records) for (const b of segmentBlobs(r)) blobs.add(b);
    for (const upload of bucket.uploads.values()) for (const p of upload.parts.values()) blobs.add(p.blob);
  }
  return blobs;
}

function bucketOf<B>(state: StoreState<B>, name: string, m: Mutation<B>): BucketState<B> {
  const bucket = state.buckets.get(name);
  if (!bucket) throw inconsistent(m, `no bucket ${JSON.stringify(name)}`);
  return bucket;
}

function uploadOf<B>(state: StoreState<B>, bucket: string, uploadId: string, m: Mutation<B>): OpenUpload<B> {
  const upload = bucketOf(state, bucket, m).uploads.get(uploadId);
  if (!upload) throw inconsistent(m, `no open upload ${uploadId}`);
  return upload;
}

function inconsistent(m: { type: string }, why: string): Error {
  return new Error(`store state inconsistent: ${m.type}: ${why}`);
}
