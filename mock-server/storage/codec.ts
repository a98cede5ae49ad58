// JSON form of the file store's index and journal entries. JSON has no bigint or Date, so each record type converts
// its CRC-64 (decimal string) and times (ms since epoch) explicitly; a generic reviver could mistake user metadata
// for a tagged value. Blob ids are checked on the way in: they become file names, so a tampered journal must not be
// able to point outside the blobs directory.

import { frozenHeaders } from './object-meta.js';
import {
  emptyBucket,
  emptyState,
  type Mutation,
  type StoreState,
  type StoredObject,
  type StoredPart,
} from './state.js';
import type { BucketInfo, ObjectHeaders, ObjectMeta, PartInfo, UploadInfo } from './store.js';

export const BLOB_ID = /^[0-9a-f]{32}$/;

type MetaJson = Omit<ObjectMeta, 'crc64' | 'lastModified'> & { crc64: string; lastModified: number };
type PartJson = Omit<PartInfo, 'crc64' | 'lastModified'> & { crc64: string; lastModified: number; blob: string };
type UploadInfoJson = Omit<UploadInfo, 'initiated'> & { initiated: number };
type BucketInfoJson = Omit<BucketInfo, 'creationDate'> & { creationDate: number };
interface ObjectJson {
  meta: MetaJson;
  segments: Array<{ blob: string; size: number }>;
}
interface UploadJson {
  info: UploadInfoJson;
  headers: ObjectHeaders;
  parts: PartJson[];
}
interface BucketJson {
  info: BucketInfoJson;
  objects: ObjectJson[];
  uploads: UploadJson[];
}

export interface StateJson {
  buckets: BucketJson[];
  finished: Array<[string, { bucket: string; key: string; status: 'completed' | 'aborted' }]>;
}

export type MutationJson =
  | { type: 'createBucket'; info: BucketInfoJson }
  | { type: 'putObject'; object: ObjectJson }
  | { type: 'initiateUpload'; info: UploadInfoJson; headers: ObjectHeaders }
  | { type: 'putPart'; bucket: string; uploadId: string; part: PartJson }
  | Extract<Mutation<string>, { type: 'deleteBucket' | 'deleteObject' | 'finishUpload' | 'reset' }>;

function blobId(value: unknown): string {
  if (typeof value !== 'string' || !BLOB_ID.test(value)) throw new Error(`invalid blob id ${JSON.stringify(value)}`);
  return value;
}

const encodeBucketInfo = (i: BucketInfo): BucketInfoJson => ({ ...i, creationDate: i.creationDate.getTime() });
const decodeBucketInfo = (j: BucketInfoJson): BucketInfo =>
  Object.freeze({ ...j, creationDate: new Date(j.creationDate) });

const encodeUploadInfo = (i: UploadInfo): UploadInfoJson => ({ ...i, initiated: i.initiated.getTime() });
const decodeUploadInfo = (j: UploadInfoJson): UploadInfo => Object.freeze({ ...j, initiated: new Date(j.initiated) });

function encodeObject(o: StoredObject<string>): ObjectJson {
  const meta = { ...o.meta, crc64: o.meta.crc64.toString(), lastModified: o.meta.lastModified.getTime() };
  return { meta, segments: o.segments.map((s) => ({ blob: s.blob, size: s.size })) };
}

function decodeObject(j: ObjectJson): StoredObject<string> {
  const meta: ObjectMeta = Object.freeze({
    ...j.meta,
    userMeta: Object.freeze({ ...j.meta.userMeta }),
    crc64: BigInt(j.meta.crc64),
    lastModified: new Date(j.meta.lastModified),
  });
  return Object.freeze({
    meta,
    segments: Object.freeze(
      j.segments.map((s) => ({ blob: blobId(s.blob), size: s.size })),
    ) as StoredObject<string>['segments'],
  });
}

function encodePart(p: StoredPart<string>): PartJson {
  return { ...p.info, crc64: p.info.crc64.toString(), lastModified: p.info.lastModified.getTime(), blob: p.blob };
}

function decodePart(j: PartJson): StoredPart<string> {
  const { blob, ...info } = j;
  return {
    info: Object.freeze({ ...info, crc64: BigInt(info.crc64), lastModified: new Date(info.lastModified) }),
    blob: blobId(blob),
  };
}

export function encodeMutation(m: Mutation<string>): MutationJson {
  switch (m.type) {
    case 'createBucket':
      return { type: m.type, info: encodeBucketInfo(m.info) };
    case 'putObject':
      return { type: m.type, object: encodeObject(m.object) };
    case 'initiateUpload':
      return { type: m.type, info: encodeUploadInfo(m.info), headers: m.headers };
    case 'putPart':
      return { type: m.type, bucket: m.bucket, uploadId: m.uploadId, part: encodePart(m.part) };
    default:
      return m;
  }
}

export function decodeMutation(j: MutationJson): Mutation<string> {
  switch (j.type) {
    case 'createBucket':
      return { type: j.type, info: decodeBucketInfo(j.info) };
    case 'putObject':
      return { type: j.type, object: decodeObject(j.object) };
    case 'initiateUpload':
      return { type: j.type, info: decodeUploadInfo(j.info), headers: frozenHeaders(j.headers) };
    case 'putPart':
      return { type: j.type, bucket: j.bucket, uploadId: j.uploadId, part: decodePart(j.part) };
    case 'deleteBucket':
    case 'deleteObject':
    case 'finishUpload':
    case 'reset':
      return j;
    default:
      throw new Error(`unknown journal entry type ${JSON.stringify((j as { type: unknown }).type)}`);
  }
}

export function encodeState(state: StoreState<string>): StateJson {
  return {
    buckets: [...state.buckets.values()].map((b) => ({
      info: encodeBucketInfo(b.info),
      objects: [...b.objects.values()].map(encodeObject),
      uploads: [...b.uploads.values()].map((u) => ({
        info: encodeUploadInfo(u.info),
        headers: u.headers,
        parts: [...u.parts.values()].map(encodePart),
      })),
    })),
    finished: [...state.finished],
  };
}

export function decodeState(j: StateJson): StoreState<string> {
  const state = emptyState<string>();
  for (const b of j.buckets) {
    const bucket = emptyBucket<string>(decodeBucketInfo(b.info));
    for (const o of b.objects) {
      const object = decodeObject(o);
      bucket.objects.set(object.meta.key, object);
      bucket.keys.add(object.meta.key);
    }
    for (const u of b.uploads) {
      const parts = new Map(u.parts.map((p) => [p.partNumber, decodePart(p)] as const));
      const info = decodeUploadInfo(u.info);
      bucket.uploads.set(info.uploadId, { info, headers: frozenHeaders(u.headers), parts });
    }
    state.buckets.set(bucket.info.name, bucket);
  }
  for (const [uploadId, finished] of j.finished) state.finished.set(uploadId, { ...finished });
  return state;
}
