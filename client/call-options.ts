// The arguments of OssClient's calls, one interface per call (results.ts holds what they return).
import type { BodyInput, RequestBody } from './request-body.js';

export interface BucketOptions {
  bucket: string;
}

export interface ObjectOptions extends BucketOptions {
  key: string;
  /** extra request headers (names are lowercased) */
  headers?: Record<string, string>;
}

export type ObjectAcl = 'default' | 'private' | 'public-read' | 'public-read-write';

/** Object metadata sent with PutObject, AppendObject, InitiateMultipartUpload and CopyObject (REPLACE). */
export interface WriteOptions extends ObjectOptions {
  contentType?: string;
  /** user metadata, sent as `x-oss-meta-<name>` */
  meta?: Record<string, string>;
  /** object tags, sent URL-encoded as `x-oss-tagging` */
  tags?: Record<string, string>;
  /** x-oss-object-acl */
  acl?: ObjectAcl;
  /** x-oss-storage-class: Standard, IA, Archive, ColdArchive, DeepColdArchive */
  storageClass?: string;
}

export interface PutObjectTaggingOptions extends ObjectOptions {
  tags: Record<string, string>;
}

export interface PutObjectAclOptions extends ObjectOptions {
  acl: ObjectAcl;
}

export interface PutSymlinkOptions extends WriteOptions {
  /** the key the link points to (same bucket) */
  target: string;
}

export interface RestoreObjectOptions extends ObjectOptions {
  /** how long the restored copy stays readable (default: the server's, one day) */
  days?: number;
  /** JobParameters/Tier for ColdArchive and DeepColdArchive objects: Expedited, Standard or Bulk */
  tier?: string;
}

export interface PutObjectOptions extends WriteOptions {
  /** the content; a Readable is sent chunked and is never retried */
  body?: BodyInput;
  /** upload this file instead of `body` */
  file?: string;
}

export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: Date;
  ifUnmodifiedSince?: Date;
}

export interface GetObjectOptions extends ObjectOptions, Conditions {
  /** inclusive byte range; `end` omitted: to the end of the object */
  range?: { start: number; end?: number };
  /** `x-oss-range-behavior: standard` (docs/protocol.md#getobject): out-of-range ends are clamped, bad starts are 416
   * */
  standardRange?: boolean;
  /** one version of a versioned bucket's object (docs/protocol.md#versioning); absent: the current one */
  versionId?: string;
}

export interface HeadObjectOptions extends ObjectOptions, Conditions {
  /** one version of a versioned bucket's object; absent: the current one */
  versionId?: string;
}

export interface DeleteObjectOptions extends ObjectOptions {
  /** removes that version for good; absent: in a versioned bucket a delete marker is added */
  versionId?: string;
}

export interface PutBucketVersioningOptions extends BucketOptions {
  status: 'Enabled' | 'Suspended';
}

/** One object of DeleteMultipleObjects: a key (its current version), or a key and the version to delete for good. */
export interface ObjectVersionRef {
  key: string;
  versionId?: string;
}

export interface DeleteObjectsOptions extends BucketOptions {
  /** keys, or keys with a version ID (in a versioned bucket: without one a delete marker is added) */
  keys: Array<string | ObjectVersionRef>;
  /** quiet mode: the server lists nothing */
  quiet?: boolean;
}

export interface CopyObjectOptions extends WriteOptions {
  /** default: the destination bucket */
  sourceBucket?: string;
  sourceKey: string;
  /** REPLACE takes contentType/meta from this request; COPY (default) keeps the source's */
  metadataDirective?: 'COPY' | 'REPLACE';
  /** REPLACE takes `tags` from this request; COPY (default) keeps the source's */
  taggingDirective?: 'COPY' | 'REPLACE';
}

export interface AppendObjectOptions extends WriteOptions {
  position: number;
  body: BodyInput;
  /** CRC-64 of the object before this append: the whole-object CRC in the response is then verified */
  initCrc?: bigint;
}

export interface ListObjectsOptions extends BucketOptions {
  prefix?: string;
  delimiter?: string;
  startAfter?: string;
  continuationToken?: string;
  maxKeys?: number;
  fetchOwner?: boolean;
}

/** ListObjectVersions (`GET /?versions`); keys travel URL-encoded (encoding-type=url) and are decoded in the result. */
export interface ListObjectVersionsOptions extends BucketOptions {
  prefix?: string;
  delimiter?: string;
  /** list the keys after this one (with versionIdMarker: that key's versions after that one, then later keys) */
  keyMarker?: string;
  /** needs keyMarker */
  versionIdMarker?: string;
  /** 1 to 1000, default 100 (a common prefix counts as one) */
  maxKeys?: number;
}

export interface ListBucketsOptions {
  prefix?: string;
  marker?: string;
  maxKeys?: number;
}

export interface PutBucketOptions extends BucketOptions {
  acl?: 'private' | 'public-read' | 'public-read-write';
  storageClass?: string;
  dataRedundancyType?: string;
}

export interface UploadOptions extends ObjectOptions {
  uploadId: string;
}

export interface UploadPartOptions extends UploadOptions {
  partNumber: number;
  body: BodyInput | RequestBody;
}

export interface UploadPartCopyOptions extends UploadOptions {
  partNumber: number;
  sourceBucket?: string;
  sourceKey: string;
  /** inclusive byte range of the source */
  sourceRange?: { start: number; end: number };
}

export interface ListPartsOptions extends UploadOptions {
  maxParts?: number;
  partNumberMarker?: number;
}

export interface ListMultipartUploadsOptions extends BucketOptions {
  prefix?: string;
  delimiter?: string;
  keyMarker?: string;
  uploadIdMarker?: string;
  maxUploads?: number;
}

export interface CompletePart {
  partNumber: number;
  etag: string;
  /** With `crc64` and `size` on every part, the whole-object CRC of the response is verified (100001). */
  crc64?: bigint;
  size?: number;
}

export interface CompleteMultipartUploadOptions extends UploadOptions {
  parts: CompletePart[];
}

export interface PresignOptions extends BucketOptions {
  key: string;
  /** default GET */
  method?: 'GET' | 'PUT';
  /** default 900 */
  expiresSeconds?: number;
  /**
   * headers the request will carry and that must be signed (Content-Type, Content-MD5, x-oss-*); text, signed as the
   * UTF-8 bytes the request must then send (see `toWireHeader` in oss-mock/protocol)
   */
  headers?: Record<string, string>;
  /** extra query parameters (response-content-type, x-oss-traffic-limit...) */
  query?: Record<string, string>;
}
