// The storage seam (one interface, memory and file implementations), modelled on gofakes3's Backend.
// The store owns every state machine: bucket contents, object versions, and multipart upload IDs
// (initiated -> completed | aborted). Handlers stay thin and throw whatever OssError the store throws.
//
// Atomicity contract: bytes reach the store through a StagedBody. Nothing a StagedBody holds is visible until a
// commit call (putObject, appendObject, putPart, completeUpload) succeeds; a discarded or never-committed StagedBody
// leaves no trace. Commits are atomic: a reader sees either the old state or the new one.

import type { Readable } from 'node:stream';

export type ObjectType = 'Normal' | 'Appendable' | 'Multipart' | 'Symlink';

/** `default`: the bucket's ACL applies (docs/protocol.md#object-acl). */
export type ObjectAcl = 'default' | 'private' | 'public-read' | 'public-read-write';
export type BucketAcl = Exclude<ObjectAcl, 'default'>;

/** One object tag (docs/protocol.md#object-tagging). */
export interface ObjectTag {
  key: string;
  value: string;
}

/** Server-side encryption as the write request declared it; recorded and echoed, nothing is encrypted. */
export interface ServerSideEncryption {
  /** AES256, KMS or SM4 */
  algorithm: string;
  /** x-oss-server-side-encryption-key-id (KMS only) */
  keyId?: string;
  /** x-oss-server-side-data-encryption (SM4, KMS only) */
  dataEncryption?: string;
}

/**
 * The last RestoreObject of an Archive / ColdArchive / DeepColdArchive version (docs/protocol.md#restore):
 * restoring until readyAt, readable until expiresAt, frozen again after.
 */
export interface RestoreState {
  requestedAt: Date;
  readyAt: Date;
  expiresAt: Date;
  days: number;
  /** JobParameters/Tier (ColdArchive, DeepColdArchive) */
  tier?: string;
}

/** One CORS rule of a bucket (docs/protocol.md#bucket-cors), as PutBucketCors gave it. */
export interface CorsRule {
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

/** A bucket's CORS configuration: the rules in order (the first that matches applies) and ResponseVary. */
export interface CorsConfiguration {
  rules: CorsRule[];
  responseVary: boolean;
}

/**
 * A bucket's versioning state (docs/protocol.md#versioning): absent until PutBucketVersioning first sets it, and it
 * never returns to absent.
 */
export type VersioningStatus = 'Enabled' | 'Suspended';

/** The version ID of the version a write makes while versioning is Suspended (and of objects older than versioning). */
export const NULL_VERSION_ID = 'null';

export interface BucketInfo {
  name: string;
  /** e.g. `oss-cn-hangzhou` */
  location: string;
  creationDate: Date;
  storageClass: string;
  acl: BucketAcl;
  dataRedundancyType: string;
  /** PutBucketCors; absent: no CORS rules */
  cors?: CorsConfiguration;
  versioning?: VersioningStatus;
}

/**
 * What a write stores with an object version and replays on GET/HEAD. Per version, so that a versioned bucket can
 * carry it too: tags, ACL, storage class, SSE and symlink target belong to the version, not to the key.
 */
export interface ObjectHeaders {
  contentType: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: string;
  /** lowercased names without the `x-oss-meta-` prefix */
  userMeta: Record<string, string>;
  storageClass: string;
  /** absent: `default` */
  acl?: ObjectAcl;
  /** in the order given; absent or empty: no tags */
  tags?: readonly ObjectTag[];
  sse?: ServerSideEncryption;
  /** the target key of a Symlink (objectType 'Symlink') */
  symlinkTarget?: string;
}

export interface ObjectMeta extends ObjectHeaders {
  bucket: string;
  key: string;
  size: number;
  /** ETag without quotes: 32 uppercase hex for Normal objects and parts, `HEX-N` for multipart. */
  etag: string;
  /** CRC-64/XZ of the whole object. */
  crc64: bigint;
  /** Base64 MD5 of the content, Normal objects only (HeadObject sends Content-MD5 only for those). */
  contentMd5?: string;
  lastModified: Date;
  objectType: ObjectType;
  /** set by RestoreObject (Archive classes only) */
  restore?: RestoreState;
  /** in a bucket whose versioning was ever set: this version's ID (`null` for the null version); else absent */
  versionId?: string;
}

/** A delete marker: a version without content that makes its key read as deleted (docs/protocol.md#versioning). */
export interface DeleteMarker {
  bucket: string;
  key: string;
  versionId: string;
  lastModified: Date;
}

/** One version as ListObjectVersions reports it. */
export type ObjectVersion =
  { kind: 'object'; meta: ObjectMeta; isLatest: boolean } | { kind: 'marker'; marker: DeleteMarker; isLatest: boolean };

/** What DeleteObject did: a delete marker added or removed, or a version (or an unversioned object) removed. */
export interface DeleteOutcome {
  /** the version removed or the delete marker added; absent in an unversioned bucket without versionId */
  versionId?: string;
  /** a delete marker was added, or the version removed was one */
  deleteMarker: boolean;
  /** something was removed or a delete marker added (false: the key or version was not there) */
  changed: boolean;
}

/** A page of ListObjectVersions: versions and common prefixes in listing order. */
export interface VersionPage {
  entries: Array<{ kind: 'version'; version: ObjectVersion } | { kind: 'prefix'; prefix: string }>;
  truncated: boolean;
  /** where the next page starts (exclusive), when truncated */
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

export interface ListVersionsOptions {
  prefix?: string;
  /** '' or absent: no roll-up into common prefixes */
  delimiter?: string;
  /** list keys after this one (or, with versionIdMarker, the versions of this key after that one) */
  keyMarker?: string;
  versionIdMarker?: string;
  maxKeys: number;
}

/** What updateObjectMeta may change on a committed version: never its bytes, identity or Last-Modified. */
export type MutableObjectFields = Pick<ObjectMeta, 'tags' | 'acl' | 'restore'>;

/** Bytes received for one request body, not yet visible to anyone. Produced by the store, filled by ingest/. */
export interface StagedBody {
  /**
   * Append bytes; the promise resolves when the chunk is accepted (file store: written), giving backpressure.
   * The store keeps the Buffer as given (memory store: no copy), so the caller must not reuse it.
   */
  write(chunk: Buffer): Promise<void>;
  /** write() for several chunks at once, in order (file store: one writev). */
  writev(chunks: readonly Buffer[]): Promise<void>;
  /** Called by ingest once the body ended cleanly, with what it measured. Marks the body committable. */
  seal(digest: BodyDigest): Promise<void>;
  /**
   * Drop the bytes (client gone, fault, validation failure). Idempotent; a no-op once the body was handed to a commit
   * call (the store then owns it: it keeps the bytes on success and drops them itself when the commit call throws).
   */
  discard(): Promise<void>;
  readonly bytesWritten: number;
  /**
   * The bytes written so far, in order, once every write has resolved (ingest hashes them again inline when the MD5
   * worker went away mid-body). Absent where the bytes cannot be read back.
   */
  readWritten?(): AsyncIterable<Buffer>;
}

export interface BodyDigest {
  size: number;
  /** binary MD5 (16 bytes) */
  md5: Buffer;
  crc64: bigint;
}

export interface PartInfo {
  partNumber: number;
  /** 32 uppercase hex, no quotes */
  etag: string;
  size: number;
  crc64: bigint;
  lastModified: Date;
}

export interface UploadInfo {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: Date;
}

/** Where an upload ID is in its state machine (initiated -> completed | aborted). */
export type UploadStatus = 'initiated' | 'completed' | 'aborted';

export interface CompletePartRef {
  partNumber: number;
  /** as the client sent it; the store compares case-insensitively with quotes stripped */
  etag: string;
}

/**
 * The stored bytes of an object are not all there (a blob file truncated or damaged behind the store's back): a
 * read that finds it out fails with this rather than delivering fewer bytes than the object's size.
 */
export class StoredBytesMissingError extends Error {
  constructor(
    readonly blob: string,
    readonly expected: number,
    readonly found: number,
  ) {
    super(`stored bytes missing: blob ${blob} should hold at least ${expected} bytes, holds ${found}`);
    this.name = 'StoredBytesMissingError';
  }
}

export interface ByteRange {
  /** inclusive */
  start: number;
  /** inclusive */
  end: number;
}

export interface StoreCounts {
  buckets: number;
  /** current objects (a key whose current version is a delete marker is not counted; older versions are not) */
  objects: number;
  /** multipart uploads initiated and neither completed nor aborted */
  uploads: number;
}

export interface Store {
  /** Load persisted state, clean temporary files. Called once before serving. */
  open(): Promise<void>;
  /** The clock whose "now" the recorded times (Last-Modified, Initiated, CreationDate) follow; default real time. */
  useClock?(now: () => Date): void;
  close(): Promise<void>;
  /** Drop every bucket, object and upload (control API reset). */
  reset(): Promise<void>;
  /** What the store holds now (GET /_mock/health): read from the index, no I/O. */
  counts(): StoreCounts;

  // Buckets. Errors: NoSuchBucket, BucketAlreadyExists, BucketNotEmpty (objects or unfinished uploads).
  createBucket(info: Omit<BucketInfo, 'creationDate'>): Promise<BucketInfo>;
  getBucket(name: string): Promise<BucketInfo | undefined>;
  listBuckets(): Promise<BucketInfo[]>;
  deleteBucket(name: string): Promise<void>;
  /** PutBucketAcl. Errors: NoSuchBucket. */
  setBucketAcl(name: string, acl: BucketAcl): Promise<BucketInfo>;
  /** PutBucketCors (a configuration) and DeleteBucketCors (undefined). Errors: NoSuchBucket. */
  setBucketCors(name: string, cors: CorsConfiguration | undefined): Promise<BucketInfo>;
  /** PutBucketVersioning. Errors: NoSuchBucket. */
  setBucketVersioning(name: string, status: VersioningStatus): Promise<BucketInfo>;

  /** A fresh staging area for one request body. */
  createStagedBody(): Promise<StagedBody>;

  // Objects. Errors: NoSuchBucket, NoSuchKey, FileAlreadyExists, PositionNotEqualToLength, ObjectNotAppendable.
  // `versionId` addresses one version (docs/protocol.md#versioning): InvalidArgument for an ID the mock could not
  // have issued, NoSuchVersion for one it does not hold, MethodNotAllowed for a delete marker; without it the current
  // version is read, and a key whose current version is a delete marker is NoSuchKey with x-oss-delete-marker.
  headObject(bucket: string, key: string, versionId?: string): Promise<ObjectMeta>;
  /** The object's bytes (or a range of them). The stream reads the version current at call time. */
  readObject(
    bucket: string,
    key: string,
    range?: ByteRange,
    versionId?: string,
  ): Promise<{ meta: ObjectMeta; body: Readable }>;
  putObject(
    bucket: string,
    key: string,
    body: StagedBody,
    headers: ObjectHeaders,
    options?: { forbidOverwrite?: boolean },
  ): Promise<ObjectMeta>;
  /** position must equal the current length (0 creates); headers count only when creating. */
  appendObject(
    bucket: string,
    key: string,
    position: number,
    body: StagedBody,
    headers: ObjectHeaders,
  ): Promise<ObjectMeta>;
  /**
   * PutSymlink: a version with no bytes whose symlinkTarget (in `headers`) names another key; readers follow it.
   * Errors: NoSuchBucket, FileAlreadyExists.
   */
  putSymlink(
    bucket: string,
    key: string,
    headers: ObjectHeaders & { symlinkTarget: string },
    options?: { forbidOverwrite?: boolean },
  ): Promise<ObjectMeta>;
  /**
   * Changes tags, ACL or restore state of the current version atomically: `change` sees the committed meta and
   * returns the fields to set (a field set to undefined is removed), or throws an OssError to refuse. Size, ETag,
   * Last-Modified and the bytes stay. Errors: NoSuchBucket, NoSuchKey, whatever `change` throws.
   */
  updateObjectMeta(
    bucket: string,
    key: string,
    change: (meta: ObjectMeta) => Partial<MutableObjectFields>,
    versionId?: string,
  ): Promise<ObjectMeta>;
  /**
   * Without versionId: removes the object (unversioned bucket) or adds a delete marker (versioned: a new ID when
   * Enabled, the null version when Suspended). With versionId: removes that version for good (a version that is not
   * there is not an error). Never throws NoSuchKey.
   */
  deleteObject(bucket: string, key: string, options?: { versionId?: string }): Promise<DeleteOutcome>;
  /** Every object of the bucket whose key starts with prefix and sorts after `after`, in UTF-8 byte order. */
  listObjects(bucket: string, options: { prefix?: string; after?: string; limit?: number }): Promise<ObjectMeta[]>;
  /**
   * ListObjectVersions: keys in UTF-8 byte order, each key's versions newest first (delete markers included); the
   * versions of an unversioned bucket's objects are their null versions.
   */
  listObjectVersions(bucket: string, options: ListVersionsOptions): Promise<VersionPage>;

  // Multipart. Errors: NoSuchBucket, NoSuchUpload (with the per-operation EC), InvalidPart, InvalidPartOrder,
  // EntityTooSmall, FileAlreadyExists, InvalidArgument.
  initiateUpload(
    bucket: string,
    key: string,
    headers: ObjectHeaders,
    options?: { forbidOverwrite?: boolean },
  ): Promise<UploadInfo>;
  /**
   * Overwrites an earlier part with the same number. `ec`: the NoSuchUpload EC (default UploadPart's, protocol/errors.ts ecOf;
   * UploadPartCopy passes its own).
   */
  putPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: StagedBody,
    ec?: string,
  ): Promise<PartInfo>;
  /** Throws NoSuchUpload unless the upload is in state `initiated`. Sorted by part number. */
  listParts(bucket: string, key: string, uploadId: string): Promise<PartInfo[]>;
  /** Only uploads in state `initiated`, sorted by key then upload ID. */
  listUploads(bucket: string): Promise<UploadInfo[]>;
  /** parts: 'all' for x-oss-complete-all (every stored part in number order). Exactly one of Complete/Abort wins. */
  completeUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: CompletePartRef[] | 'all',
    options?: { forbidOverwrite?: boolean },
  ): Promise<ObjectMeta>;
  abortUpload(bucket: string, key: string, uploadId: string): Promise<void>;
  /**
   * For the NoSuchUpload check before reading an UploadPart body: throws NoSuchUpload unless `initiated`.
   * `ec` defaults to UploadPart's.
   */
  assertUploadOpen(bucket: string, key: string, uploadId: string, ec?: string): Promise<void>;
  /**
   * Where an upload ID stands; undefined if the store never issued it, or finished it longer ago than the last
   * FINISHED_UPLOADS_KEPT finished uploads (state.ts).
   */
  uploadStatus(uploadId: string): Promise<{ bucket: string; key: string; status: UploadStatus } | undefined>;
  /** The last FINISHED_UPLOADS_KEPT completed and aborted upload IDs, the most recently finished first. */
  listFinishedUploads(): Promise<FinishedUploadInfo[]>;
}

export interface FinishedUploadInfo {
  uploadId: string;
  bucket: string;
  key: string;
  status: Exclude<UploadStatus, 'initiated'>;
}
