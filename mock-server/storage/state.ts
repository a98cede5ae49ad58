// The store's index: what exists, as plain data. Every change is a Mutation applied by applyMutations, both live and
// when the file store replays its journal at open(), so recovery cannot drift from what the live store did.
//
// `B` is how a backend names stored bytes: the memory store holds the Buffers themselves, the file store the id of a
// data file. An object's bytes are a list of segments: one for PutObject, one per append for AppendObject, the listed
// parts for CompleteMultipartUpload. So append and complete never copy bytes.

import { KeyOrder } from './key-order.js';
import type {
  BucketAcl,
  BucketInfo,
  CorsConfiguration,
  ObjectHeaders,
  ObjectMeta,
  PartInfo,
  UploadInfo,
  UploadStatus,
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

export interface BucketState<B> {
  info: BucketInfo;
  objects: Map<string, StoredObject<B>>;
  /** initiated uploads only, by upload ID */
  uploads: Map<string, OpenUpload<B>>;
  keys: KeyOrder;
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
  | { type: 'putObject'; object: StoredObject<B> }
  /**
   * An appendable object (or a new one) grows by one segment under new meta: the batch names only the new segment,
   * so a journal line costs the same for the 5,000th append as for the first
   */
  | { type: 'appendObject'; meta: ObjectMeta; segment: Segment<B> }
  /** the same bytes under new meta (tags, ACL, restore state): bucket and key come from the meta */
  | { type: 'updateMeta'; meta: ObjectMeta }
  | { type: 'deleteObject'; bucket: string; key: string }
  | { type: 'initiateUpload'; info: UploadInfo; headers: ObjectHeaders }
  | { type: 'putPart'; bucket: string; uploadId: string; part: StoredPart<B> }
  | { type: 'finishUpload'; bucket: string; uploadId: string; status: FinishedUpload['status'] }
  | { type: 'reset' };

export function emptyState<B>(): StoreState<B> {
  return { buckets: new Map(), finished: new Map() };
}

export function emptyBucket<B>(info: BucketInfo): BucketState<B> {
  return { info, objects: new Map(), uploads: new Map(), keys: new KeyOrder() };
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
      if (bucket.objects.size > 0 || bucket.uploads.size > 0) throw inconsistent(m, 'bucket not empty');
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
    case 'updateMeta': {
      const bucket = bucketOf(state, m.meta.bucket, m);
      const old = bucket.objects.get(m.meta.key);
      if (!old) throw inconsistent(m, `no object ${JSON.stringify(m.meta.key)}`);
      bucket.objects.set(m.meta.key, Object.freeze({ meta: m.meta, segments: old.segments }));
      return;
    }
    case 'putObject': {
      const bucket = bucketOf(state, m.object.meta.bucket, m);
      const old = bucket.objects.get(m.object.meta.key);
      if (old) dropped.push(...old.segments.map((s) => s.blob));
      for (const s of m.object.segments) taken.add(s.blob);
      bucket.objects.set(m.object.meta.key, m.object);
      bucket.keys.add(m.object.meta.key);
      return;
    }
    case 'appendObject': {
      const bucket = bucketOf(state, m.meta.bucket, m);
      const old = bucket.objects.get(m.meta.key);
      // the old version's segments stay: they are the start of the new one
      const segments = Object.freeze([...(old?.segments ?? []), m.segment]) as Segment<B>[];
      taken.add(m.segment.blob);
      bucket.objects.set(m.meta.key, Object.freeze({ meta: m.meta, segments }));
      bucket.keys.add(m.meta.key);
      return;
    }
    case 'deleteObject': {
      const bucket = bucketOf(state, m.bucket, m);
      const old = bucket.objects.get(m.key);
      if (!old) return;
      dropped.push(...old.segments.map((s) => s.blob));
      bucket.objects.delete(m.key);
      bucket.keys.delete(m.key);
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
