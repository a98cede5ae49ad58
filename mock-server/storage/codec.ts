// JSON form of the file store's index and journal entries. JSON has no bigint or Date, so each record type converts
// its CRC-64 (decimal string) and times (ms since epoch) explicitly; a generic reviver could mistake user metadata
// for a tagged value. Blob ids are checked on the way in: they become file names, so a tampered journal must not be
// able to point outside the blobs directory.

import { frozenHeaders } from './object-meta.js';
import {
  emptyBucket,
  emptyState,
  setVersions,
  type Mutation,
  type StoreState,
  type StoredObject,
  type StoredPart,
  type VersionRecord,
} from './state.js';
import type { BucketInfo, ObjectHeaders, ObjectMeta, ObjectTag, PartInfo, RestoreState, UploadInfo } from './store.js';

export const BLOB_ID = /^[0-9a-f]{32}$/;

type RestoreJson = Omit<RestoreState, 'requestedAt' | 'readyAt' | 'expiresAt'> & {
  requestedAt: number;
  readyAt: number;
  expiresAt: number;
};
type MetaJson = Omit<ObjectMeta, 'crc64' | 'lastModified' | 'restore'> & {
  crc64: string;
  lastModified: number;
  restore?: RestoreJson;
  /** how data dirs written before object tagging existed held the raw x-oss-tagging header */
  tagging?: string;
};
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
/** one version of a key: an object version, or a delete marker (its Last-Modified in ms) */
interface VersionJson {
  versionId: string;
  object?: ObjectJson;
  marker?: number;
}
interface BucketJson {
  info: BucketInfoJson;
  /** unversioned bucket: its objects; versioned: empty, the objects are the current versions in `versions` */
  objects: ObjectJson[];
  uploads: UploadJson[];
  /** versioned bucket: each key's versions, newest first */
  versions?: Array<{ key: string; records: VersionJson[] }>;
}

export interface StateJson {
  buckets: BucketJson[];
  finished: Array<[string, { bucket: string; key: string; status: 'completed' | 'aborted' }]>;
}

export type MutationJson =
  | { type: 'createBucket'; info: BucketInfoJson }
  | { type: 'putObject'; object: ObjectJson }
  | { type: 'appendObject'; meta: MetaJson; segment: { blob: string; size: number } }
  | { type: 'updateMeta'; meta: MetaJson }
  | { type: 'putDeleteMarker'; bucket: string; key: string; versionId: string; lastModified: number }
  | { type: 'initiateUpload'; info: UploadInfoJson; headers: ObjectHeaders }
  | { type: 'putPart'; bucket: string; uploadId: string; part: PartJson }
  | Extract<
      Mutation<string>,
      {
        type:
          | 'deleteBucket'
          | 'setBucketAcl'
          | 'setBucketCors'
          | 'setVersioning'
          | 'deleteObject'
          | 'deleteVersion'
          | 'finishUpload'
          | 'reset';
      }
    >;

function blobId(value: unknown): string {
  if (typeof value !== 'string' || !BLOB_ID.test(value)) throw new Error(`invalid blob id ${JSON.stringify(value)}`);
  return value;
}

const encodeBucketInfo = (i: BucketInfo): BucketInfoJson => ({ ...i, creationDate: i.creationDate.getTime() });
const decodeBucketInfo = (j: BucketInfoJson): BucketInfo =>
  Object.freeze({ ...j, creationDate: new Date(j.creationDate) });

const encodeUploadInfo = (i: UploadInfo): UploadInfoJson => ({ ...i, initiated: i.initiated.getTime() });
const decodeUploadInfo = (j: UploadInfoJson): UploadInfo => Object.freeze({ ...j, initiated: new Date(j.initiated) });

function encodeMeta(m: ObjectMeta): MetaJson {
  const { restore, ...rest } = m;
  const json: MetaJson = { ...rest, crc64: m.crc64.toString(), lastModified: m.lastModified.getTime() };
  if (restore !== undefined) {
    json.restore = {
      ...restore,
      requestedAt: restore.requestedAt.getTime(),
      readyAt: restore.readyAt.getTime(),
      expiresAt: restore.expiresAt.getTime(),
    };
  }
  return json;
}

/** The raw `k=v&k2` of an old x-oss-tagging record as tags, leniently: it was stored unvalidated. */
function legacyTags(tagging: string): ObjectTag[] {
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return tagging
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0
        ? { key: decode(pair), value: '' }
        : { key: decode(pair.slice(0, eq)), value: decode(pair.slice(eq + 1)) };
    });
}

function decodeMeta(j: MetaJson): ObjectMeta {
  const { restore, tagging, ...rest } = j;
  const meta: ObjectMeta = {
    ...frozenHeaders({
      ...rest,
      ...(tagging !== undefined && rest.tags === undefined ? { tags: legacyTags(tagging) } : {}),
    }),
    bucket: rest.bucket,
    key: rest.key,
    size: rest.size,
    etag: rest.etag,
    crc64: BigInt(rest.crc64),
    lastModified: new Date(rest.lastModified),
    objectType: rest.objectType,
  };
  if (rest.contentMd5 !== undefined) meta.contentMd5 = rest.contentMd5;
  if (rest.versionId !== undefined) meta.versionId = rest.versionId;
  if (restore !== undefined) {
    meta.restore = Object.freeze({
      ...restore,
      requestedAt: new Date(restore.requestedAt),
      readyAt: new Date(restore.readyAt),
      expiresAt: new Date(restore.expiresAt),
    });
  }
  return Object.freeze(meta);
}

function encodeObject(o: StoredObject<string>): ObjectJson {
  return { meta: encodeMeta(o.meta), segments: o.segments.map((s) => ({ blob: s.blob, size: s.size })) };
}

function decodeObject(j: ObjectJson): StoredObject<string> {
  const meta = decodeMeta(j.meta);
  return Object.freeze({
    meta,
    segments: Object.freeze(
      j.segments.map((s) => ({ blob: blobId(s.blob), size: s.size })),
    ) as StoredObject<string>['segments'],
  });
}

function encodeVersion(r: VersionRecord<string>): VersionJson {
  return 'object' in r
    ? { versionId: r.versionId, object: encodeObject(r.object) }
    : { versionId: r.versionId, marker: r.marker.lastModified.getTime() };
}

function decodeVersion(j: VersionJson): VersionRecord<string> {
  if (j.object !== undefined) return { versionId: j.versionId, object: decodeObject(j.object) };
  if (typeof j.marker !== 'number')
    throw new Error(`version ${JSON.stringify(j.versionId)} is neither object nor marker`);
  return { versionId: j.versionId, marker: { lastModified: new Date(j.marker) } };
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
    case 'appendObject':
      return { type: m.type, meta: encodeMeta(m.meta), segment: { blob: m.segment.blob, size: m.segment.size } };
    case 'updateMeta':
      return { type: m.type, meta: encodeMeta(m.meta) };
    case 'putDeleteMarker':
      return { ...m, lastModified: m.lastModified.getTime() };
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
    case 'appendObject':
      return {
        type: j.type,
        meta: decodeMeta(j.meta),
        segment: { blob: blobId(j.segment.blob), size: j.segment.size },
      };
    case 'updateMeta':
      return { type: j.type, meta: decodeMeta(j.meta) };
    case 'putDeleteMarker':
      return { ...j, lastModified: new Date(j.lastModified) };
    case 'initiateUpload':
      return { type: j.type, info: decodeUploadInfo(j.info), headers: frozenHeaders(j.headers) };
    case 'putPart':
      return { type: j.type, bucket: j.bucket, uploadId: j.uploadId, part: decodePart(j.part) };
    case 'deleteBucket':
    case 'setBucketAcl':
    case 'setBucketCors':
    case 'setVersioning':
    case 'deleteVersion':
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
      objects: b.info.versioning === undefined ? [...b.objects.values()].map(encodeObject) : [],
      ...(b.info.versioning === undefined
        ? {}
        : { versions: [...b.versions].map(([key, records]) => ({ key, records: records.map(encodeVersion) })) }),
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
    for (const v of b.versions ?? []) setVersions(bucket, v.key, v.records.map(decodeVersion));
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
