// Results of each operation, read from response headers and XML bodies (docs/protocol.md#common-headers,
// docs/protocol.md#multipart, docs/protocol.md#object-operations). ETags are given without quotes (the C++ SDK's
// TrimQuotes); CRC-64 values as bigint; list keys are URL-decoded when the response says
// `<EncodingType>url</EncodingType>` (as C++ and oss2 do, docs/protocol.md#listing).
import type { Readable } from 'node:stream';
import { normalizeEtag } from '../protocol/etag.js';
import { fromWireHeader } from '../protocol/signing.js';
import { parseXml, xmlArray } from '../protocol/xml.js';
import { CRC64_HEADER, parseCrc64 } from './crc.js';
import { parseResultError } from './errors.js';
import type { OssResponse } from './executor.js';

export interface ResultBase {
  requestId: string;
  status: number;
  headers: Record<string, string>;
}

export interface PutObjectResult extends ResultBase {
  etag: string;
  crc64?: bigint;
  contentMd5?: string;
  /** the version written, in a versioned bucket (`x-oss-version-id`) */
  versionId?: string;
}

export interface DeleteObjectResult extends ResultBase {
  /** the version removed, or the delete marker added, in a versioned bucket */
  versionId?: string;
  /** a delete marker was added, or the version removed was one (`x-oss-delete-marker`) */
  deleteMarker: boolean;
}

export interface GetBucketVersioningResult extends ResultBase {
  /** absent: versioning was never set on the bucket */
  versioning?: 'Enabled' | 'Suspended';
}

export interface AppendObjectResult extends PutObjectResult {
  nextPosition: number;
}

export interface ObjectMeta extends ResultBase {
  contentLength: number;
  contentType?: string;
  etag: string;
  lastModified?: Date;
  /** Normal, Appendable, Multipart, Symlink */
  objectType?: string;
  storageClass?: string;
  crc64?: bigint;
  contentMd5?: string;
  contentRange?: string;
  /** Appendable objects: the position of the next append */
  nextAppendPosition?: number;
  /** `x-oss-meta-*` headers, prefix removed */
  meta: Record<string, string>;
  /** x-oss-tagging-count: how many tags the object has (0 when the header is absent) */
  tagCount: number;
  /** `ongoing-request="true"` while an archived object is restored, then `ongoing-request="false", expiry-date=…` */
  restore?: string;
  /** x-oss-server-side-encryption */
  serverSideEncryption?: string;
  /** the version read, in a versioned bucket (`x-oss-version-id`) */
  versionId?: string;
}

export interface GetObjectResult extends ObjectMeta {
  content: Buffer;
}

export interface GetObjectStreamResult extends ObjectMeta {
  /** Fails with an OssClientError: 200042 when the client is disabled mid-body, 100001 on a CRC mismatch at its end. */
  stream: Readable;
}

export interface CopyObjectResult extends ResultBase {
  etag: string;
  lastModified?: Date;
  crc64?: bigint;
}

export interface DeleteObjectsResult extends ResultBase {
  /** keys reported deleted (empty in quiet mode) */
  deleted: string[];
  /** the same entries with what happened to each version (empty in quiet mode) */
  deletedObjects: DeletedObject[];
}

/** One `<Deleted>` entry of DeleteMultipleObjects (docs/protocol.md#versioning). */
export interface DeletedObject {
  key: string;
  /** the version ID the request named */
  versionId?: string;
  /** a delete marker was added (no versionId asked) or removed (the versionId named one) */
  deleteMarker: boolean;
  /** that delete marker's version ID */
  deleteMarkerVersionId?: string;
}

/** A `<Version>` of ListObjectVersions. */
export interface ObjectVersionSummary extends ObjectSummary {
  versionId: string;
  isLatest: boolean;
}

/** A `<DeleteMarker>` of ListObjectVersions. */
export interface DeleteMarkerSummary {
  key: string;
  versionId: string;
  isLatest: boolean;
  lastModified?: Date;
  owner?: Owner;
}

export interface ListObjectVersionsResult extends ResultBase {
  name: string;
  prefix: string;
  delimiter: string;
  keyMarker: string;
  versionIdMarker: string;
  maxKeys: number;
  isTruncated: boolean;
  /** when truncated: the next page's keyMarker */
  nextKeyMarker?: string;
  /** when truncated on a version (not a common prefix): the next page's versionIdMarker */
  nextVersionIdMarker?: string;
  /** keys ascending, each key's versions newest first */
  versions: ObjectVersionSummary[];
  /** in the same order; the XML interleaves them with the versions, the result keeps them apart */
  deleteMarkers: DeleteMarkerSummary[];
  commonPrefixes: string[];
}

export interface Owner {
  id: string;
  displayName: string;
}

export interface ObjectSummary {
  key: string;
  etag: string;
  size: number;
  lastModified?: Date;
  type: string;
  storageClass: string;
  owner?: Owner;
}

export interface ListObjectsResult extends ResultBase {
  name: string;
  prefix: string;
  delimiter: string;
  startAfter?: string;
  continuationToken?: string;
  maxKeys: number;
  keyCount: number;
  isTruncated: boolean;
  nextContinuationToken?: string;
  objects: ObjectSummary[];
  commonPrefixes: string[];
}

export interface BucketSummary {
  name: string;
  location: string;
  region: string;
  creationDate?: Date;
  storageClass: string;
  extranetEndpoint: string;
  intranetEndpoint: string;
}

export interface ListBucketsResult extends ResultBase {
  prefix: string;
  marker: string;
  maxKeys: number;
  isTruncated: boolean;
  nextMarker?: string;
  owner?: Owner;
  buckets: BucketSummary[];
}

export interface BucketInfoResult extends ResultBase {
  name: string;
  location: string;
  creationDate?: Date;
  storageClass: string;
  extranetEndpoint: string;
  intranetEndpoint: string;
  acl: string;
  dataRedundancyType: string;
  owner?: Owner;
}

export interface InitiateMultipartUploadResult extends ResultBase {
  bucket: string;
  key: string;
  uploadId: string;
}

export interface UploadPartResult extends ResultBase {
  partNumber: number;
  etag: string;
  /** the server's CRC-64 of the part (already compared with the client's when crc64Check is on) */
  crc64?: bigint;
  /** bytes sent */
  size: number;
}

export interface UploadPartCopyResult extends ResultBase {
  partNumber: number;
  etag: string;
  lastModified?: Date;
  crc64?: bigint;
}

export interface PartSummary {
  partNumber: number;
  etag: string;
  size: number;
  lastModified?: Date;
  crc64?: bigint;
}

export interface ListPartsResult extends ResultBase {
  bucket: string;
  key: string;
  uploadId: string;
  partNumberMarker: number;
  nextPartNumberMarker: number;
  maxParts: number;
  isTruncated: boolean;
  parts: PartSummary[];
}

export interface UploadSummary {
  key: string;
  uploadId: string;
  initiated?: Date;
}

export interface ListMultipartUploadsResult extends ResultBase {
  bucket: string;
  prefix: string;
  delimiter: string;
  keyMarker: string;
  uploadIdMarker: string;
  nextKeyMarker: string;
  nextUploadIdMarker: string;
  maxUploads: number;
  isTruncated: boolean;
  uploads: UploadSummary[];
  commonPrefixes: string[];
}

export interface CompleteMultipartUploadResult extends ResultBase {
  bucket: string;
  key: string;
  etag: string;
  location: string;
  crc64?: bigint;
}

// ---------------------------------------------------------------------------------------------------------------
// From headers

export function resultBase(res: OssResponse): ResultBase {
  return { requestId: res.requestId, status: res.status, headers: res.headers };
}

export function etagOf(headers: Record<string, string>): string {
  return headers.etag === undefined ? '' : normalizeEtag(headers.etag);
}

export function putObjectResult(res: OssResponse): PutObjectResult {
  return {
    ...resultBase(res),
    etag: etagOf(res.headers),
    crc64: parseCrc64(res.headers[CRC64_HEADER]),
    contentMd5: res.headers['content-md5'],
    versionId: res.headers['x-oss-version-id'],
  };
}

export function objectMeta(base: ResultBase): ObjectMeta {
  const h = base.headers;
  const meta: Record<string, string> = {};
  for (const [name, value] of Object.entries(h)) {
    // values arrive as their wire bytes; OSS returns the bytes it was sent, which this client sends as UTF-8
    if (name.startsWith('x-oss-meta-')) meta[name.slice('x-oss-meta-'.length)] = fromWireHeader(value);
  }
  return {
    ...base,
    contentLength: Number(h['content-length'] ?? 0),
    contentType: h['content-type'],
    etag: etagOf(h),
    lastModified: date(h['last-modified']),
    objectType: h['x-oss-object-type'],
    storageClass: h['x-oss-storage-class'],
    crc64: parseCrc64(h[CRC64_HEADER]),
    contentMd5: h['content-md5'],
    contentRange: h['content-range'],
    nextAppendPosition: optionalInt(h['x-oss-next-append-position']),
    meta,
    tagCount: optionalInt(h['x-oss-tagging-count']) ?? 0,
    restore: h['x-oss-restore'],
    serverSideEncryption: h['x-oss-server-side-encryption'],
    versionId: h['x-oss-version-id'],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// From XML bodies

type XmlNode = Record<string, unknown>;

/** The root element of a result document; ParseXMLError when the body is not that document. */
function rootOf(res: OssResponse, rootName: string): { node: XmlNode; decode: (s: string) => string } {
  let doc: Record<string, unknown>;
  try {
    doc = parseXml(res.body.toString('utf8'));
  } catch {
    throw parseResultError(rootName, res.requestId, res.status);
  }
  const node = doc[rootName];
  if (node === '') return { node: {}, decode: identity };
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw parseResultError(rootName, res.requestId, res.status);
  }
  const urlEncoded = text(node as XmlNode, 'EncodingType') === 'url';
  return { node: node as XmlNode, decode: urlEncoded ? urlDecode : identity };
}

function identity(s: string): string {
  return s;
}

function urlDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function text(node: XmlNode, tag: string): string {
  const v = node[tag];
  return typeof v === 'string' ? v : '';
}

function optionalText(node: XmlNode, tag: string): string | undefined {
  const v = node[tag];
  return typeof v === 'string' ? v : undefined;
}

function int(node: XmlNode, tag: string): number {
  return optionalInt(text(node, tag)) ?? 0;
}

function optionalInt(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d+$/.test(s.trim())) return undefined;
  return Number(s);
}

function bool(node: XmlNode, tag: string): boolean {
  return text(node, tag).toLowerCase() === 'true';
}

function date(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** Child elements named `tag` (repeated or not), skipping empty ones. */
function children(node: XmlNode, tag: string): XmlNode[] {
  return xmlArray(node[tag]).filter((v): v is XmlNode => typeof v === 'object' && v !== null && !Array.isArray(v));
}

function child(node: XmlNode, tag: string): XmlNode {
  return children(node, tag)[0] ?? {};
}

function owner(node: XmlNode): Owner | undefined {
  const o = children(node, 'Owner')[0];
  return o === undefined ? undefined : { id: text(o, 'ID'), displayName: text(o, 'DisplayName') };
}

function prefixes(node: XmlNode, decode: (s: string) => string): string[] {
  return children(node, 'CommonPrefixes').map((p) => decode(text(p, 'Prefix')));
}

export function copyObjectResult(res: OssResponse, rootName = 'CopyObjectResult'): CopyObjectResult {
  const { node } = rootOf(res, rootName);
  return {
    ...resultBase(res),
    etag: normalizeEtag(text(node, 'ETag') || (res.headers.etag ?? '')),
    lastModified: date(text(node, 'LastModified')),
    crc64: parseCrc64(res.headers[CRC64_HEADER]),
  };
}

/** Quiet mode answers with an empty body. */
export function deleteObjectsResult(res: OssResponse): DeleteObjectsResult {
  if (res.body.length === 0) return { ...resultBase(res), deleted: [], deletedObjects: [] };
  const { node, decode } = rootOf(res, 'DeleteResult');
  const deletedObjects = children(node, 'Deleted').map((d): DeletedObject => {
    const versionId = optionalText(d, 'VersionId');
    const markerId = optionalText(d, 'DeleteMarkerVersionId');
    return {
      key: decode(text(d, 'Key')),
      ...(versionId ? { versionId } : {}),
      deleteMarker: bool(d, 'DeleteMarker'),
      ...(markerId ? { deleteMarkerVersionId: markerId } : {}),
    };
  });
  return { ...resultBase(res), deleted: deletedObjects.map((d) => d.key), deletedObjects };
}

export function listObjectVersionsResult(res: OssResponse): ListObjectVersionsResult {
  const { node, decode } = rootOf(res, 'ListVersionsResult');
  const nextKeyMarker = optionalText(node, 'NextKeyMarker');
  const nextVersionIdMarker = optionalText(node, 'NextVersionIdMarker');
  return {
    ...resultBase(res),
    name: text(node, 'Name'),
    prefix: decode(text(node, 'Prefix')),
    delimiter: decode(text(node, 'Delimiter')),
    keyMarker: decode(text(node, 'KeyMarker')),
    versionIdMarker: text(node, 'VersionIdMarker'),
    maxKeys: int(node, 'MaxKeys'),
    isTruncated: bool(node, 'IsTruncated'),
    ...(nextKeyMarker ? { nextKeyMarker: decode(nextKeyMarker) } : {}),
    ...(nextVersionIdMarker ? { nextVersionIdMarker } : {}),
    versions: children(node, 'Version').map((v) => ({
      key: decode(text(v, 'Key')),
      versionId: text(v, 'VersionId'),
      isLatest: bool(v, 'IsLatest'),
      etag: normalizeEtag(text(v, 'ETag')),
      size: int(v, 'Size'),
      lastModified: date(text(v, 'LastModified')),
      type: text(v, 'Type'),
      storageClass: text(v, 'StorageClass'),
      owner: owner(v),
    })),
    deleteMarkers: children(node, 'DeleteMarker').map((m) => ({
      key: decode(text(m, 'Key')),
      versionId: text(m, 'VersionId'),
      isLatest: bool(m, 'IsLatest'),
      lastModified: date(text(m, 'LastModified')),
      owner: owner(m),
    })),
    commonPrefixes: prefixes(node, decode),
  };
}

export function listObjectsResult(res: OssResponse): ListObjectsResult {
  const { node, decode } = rootOf(res, 'ListBucketResult');
  const token = optionalText(node, 'NextContinuationToken');
  return {
    ...resultBase(res),
    name: text(node, 'Name'),
    prefix: decode(text(node, 'Prefix')),
    delimiter: decode(text(node, 'Delimiter')),
    startAfter: optionalText(node, 'StartAfter') === undefined ? undefined : decode(text(node, 'StartAfter')),
    continuationToken: optionalText(node, 'ContinuationToken'),
    maxKeys: int(node, 'MaxKeys'),
    keyCount: int(node, 'KeyCount'),
    isTruncated: bool(node, 'IsTruncated'),
    nextContinuationToken: token === undefined || token === '' ? undefined : decode(token),
    objects: children(node, 'Contents').map((c) => ({
      key: decode(text(c, 'Key')),
      etag: normalizeEtag(text(c, 'ETag')),
      size: int(c, 'Size'),
      lastModified: date(text(c, 'LastModified')),
      type: text(c, 'Type'),
      storageClass: text(c, 'StorageClass'),
      owner: owner(c),
    })),
    commonPrefixes: prefixes(node, decode),
  };
}

export function listBucketsResult(res: OssResponse): ListBucketsResult {
  const { node } = rootOf(res, 'ListAllMyBucketsResult');
  const nextMarker = optionalText(node, 'NextMarker');
  return {
    ...resultBase(res),
    prefix: text(node, 'Prefix'),
    marker: text(node, 'Marker'),
    maxKeys: int(node, 'MaxKeys'),
    isTruncated: bool(node, 'IsTruncated'),
    nextMarker: nextMarker || undefined,
    owner: owner(node),
    buckets: children(child(node, 'Buckets'), 'Bucket').map((b) => ({
      name: text(b, 'Name'),
      location: text(b, 'Location'),
      region: text(b, 'Region'),
      creationDate: date(text(b, 'CreationDate')),
      storageClass: text(b, 'StorageClass'),
      extranetEndpoint: text(b, 'ExtranetEndpoint'),
      intranetEndpoint: text(b, 'IntranetEndpoint'),
    })),
  };
}

export function deleteObjectResult(res: OssResponse): DeleteObjectResult {
  return {
    ...resultBase(res),
    versionId: res.headers['x-oss-version-id'],
    deleteMarker: res.headers['x-oss-delete-marker'] === 'true',
  };
}

/** `<VersioningConfiguration>` has no Status until versioning was first set. */
export function getBucketVersioningResult(res: OssResponse): GetBucketVersioningResult {
  const status = text(rootOf(res, 'VersioningConfiguration').node, 'Status');
  return {
    ...resultBase(res),
    ...(status === 'Enabled' || status === 'Suspended' ? { versioning: status } : {}),
  };
}

export function bucketInfoResult(res: OssResponse): BucketInfoResult {
  const bucket = child(rootOf(res, 'BucketInfo').node, 'Bucket');
  return {
    ...resultBase(res),
    name: text(bucket, 'Name'),
    location: text(bucket, 'Location'),
    creationDate: date(text(bucket, 'CreationDate')),
    storageClass: text(bucket, 'StorageClass'),
    extranetEndpoint: text(bucket, 'ExtranetEndpoint'),
    intranetEndpoint: text(bucket, 'IntranetEndpoint'),
    acl: text(child(bucket, 'AccessControlList'), 'Grant'),
    dataRedundancyType: text(bucket, 'DataRedundancyType'),
    owner: owner(bucket),
  };
}

export function initiateMultipartUploadResult(res: OssResponse): InitiateMultipartUploadResult {
  const { node, decode } = rootOf(res, 'InitiateMultipartUploadResult');
  const uploadId = text(node, 'UploadId');
  if (!uploadId) throw parseResultError('InitiateMultipartUpload', res.requestId, res.status);
  return { ...resultBase(res), bucket: text(node, 'Bucket'), key: decode(text(node, 'Key')), uploadId };
}

export function uploadPartCopyResult(res: OssResponse, partNumber: number): UploadPartCopyResult {
  return { ...copyObjectResult(res, 'CopyPartResult'), partNumber };
}

export function listPartsResult(res: OssResponse): ListPartsResult {
  const { node, decode } = rootOf(res, 'ListPartsResult');
  return {
    ...resultBase(res),
    bucket: text(node, 'Bucket'),
    key: decode(text(node, 'Key')),
    uploadId: text(node, 'UploadId'),
    partNumberMarker: int(node, 'PartNumberMarker'),
    nextPartNumberMarker: int(node, 'NextPartNumberMarker'),
    maxParts: int(node, 'MaxParts'),
    isTruncated: bool(node, 'IsTruncated'),
    parts: children(node, 'Part').map((p) => ({
      partNumber: int(p, 'PartNumber'),
      etag: normalizeEtag(text(p, 'ETag')),
      size: int(p, 'Size'),
      lastModified: date(text(p, 'LastModified')),
      crc64: parseCrc64(optionalText(p, 'HashCrc64ecma')),
    })),
  };
}

export function listMultipartUploadsResult(res: OssResponse): ListMultipartUploadsResult {
  const { node, decode } = rootOf(res, 'ListMultipartUploadsResult');
  return {
    ...resultBase(res),
    bucket: text(node, 'Bucket'),
    prefix: decode(text(node, 'Prefix')),
    delimiter: decode(text(node, 'Delimiter')),
    keyMarker: decode(text(node, 'KeyMarker')),
    uploadIdMarker: text(node, 'UploadIdMarker'),
    nextKeyMarker: decode(text(node, 'NextKeyMarker')),
    nextUploadIdMarker: text(node, 'NextUploadIdMarker'),
    maxUploads: int(node, 'MaxUploads'),
    isTruncated: bool(node, 'IsTruncated'),
    uploads: children(node, 'Upload').map((u) => ({
      key: decode(text(u, 'Key')),
      uploadId: text(u, 'UploadId'),
      initiated: date(text(u, 'Initiated')),
    })),
    commonPrefixes: prefixes(node, decode),
  };
}

export function completeMultipartUploadResult(res: OssResponse): CompleteMultipartUploadResult {
  const { node, decode } = rootOf(res, 'CompleteMultipartUploadResult');
  return {
    ...resultBase(res),
    bucket: text(node, 'Bucket'),
    key: decode(text(node, 'Key')),
    etag: normalizeEtag(text(node, 'ETag') || (res.headers.etag ?? '')),
    location: text(node, 'Location'),
    crc64: parseCrc64(res.headers[CRC64_HEADER]),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Object tagging, ACL, symlinks, restore

export interface ObjectTag {
  key: string;
  value: string;
}

export interface GetObjectTaggingResult extends ResultBase {
  /** in the order the server listed them */
  tags: ObjectTag[];
}

export function getObjectTaggingResult(res: OssResponse): GetObjectTaggingResult {
  const tagSet = child(rootOf(res, 'Tagging').node, 'TagSet');
  const tags = children(tagSet, 'Tag').map((t) => ({
    key: text(t, 'Key'),
    value: text(t, 'Value'),
  }));
  return { ...resultBase(res), tags };
}

export interface GetObjectAclResult extends ResultBase {
  /** default, private, public-read or public-read-write */
  acl: string;
  owner?: Owner;
}

export function getObjectAclResult(res: OssResponse): GetObjectAclResult {
  const { node } = rootOf(res, 'AccessControlPolicy');
  return { ...resultBase(res), acl: text(child(node, 'AccessControlList'), 'Grant'), owner: owner(node) };
}

export interface GetSymlinkResult extends ObjectMeta {
  /** the key the link points to */
  target: string;
}

export function getSymlinkResult(base: ResultBase): GetSymlinkResult {
  const raw = base.headers['x-oss-symlink-target'] ?? '';
  return { ...objectMeta(base), target: urlDecode(raw) };
}

export interface RestoreObjectResult extends ResultBase {
  /** 202: the restore started; 200: the object was already restored (its readable period starts again) */
  restoring: boolean;
}
