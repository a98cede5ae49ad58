// OssClient: the OSS operations over one Executor, with the C++ SDK's DisableRequest/EnableRequest
// (docs/protocol.md#cpp-sdk). Each client owns its HTTP agents, so destroying its sockets on disable never touches
// another client's connections. Arguments are validated first (ValidateError), before the disable check, as
// OssClientImpl::MakeRequest does.
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isValidBucketName, objectKeyError } from '../protocol/addressing.js';
import { httpDate } from '../protocol/dates.js';
import { quoteEtag } from '../protocol/etag.js';
import { toWireHeader } from '../protocol/signing.js';
import { buildXml, type XmlValue } from '../protocol/xml.js';
import { encodeKey, encodeQuery, requestTarget, type QueryParams } from './addressing.js';
import { bytesBody, fileBody, toRequestBody, type BodyInput, type RequestBody } from './request-body.js';
import { combineCrc64, crcMismatch } from './crc.js';
import type {
  AppendObjectOptions,
  BucketOptions,
  CompleteMultipartUploadOptions,
  CompletePart,
  Conditions,
  CopyObjectOptions,
  DeleteObjectOptions,
  DeleteObjectsOptions,
  GetObjectOptions,
  HeadObjectOptions,
  ListBucketsOptions,
  ListMultipartUploadsOptions,
  ListObjectVersionsOptions,
  ListObjectsOptions,
  ListPartsOptions,
  ObjectOptions,
  PresignOptions,
  PutBucketOptions,
  PutBucketVersioningOptions,
  PutObjectAclOptions,
  PutObjectOptions,
  PutObjectTaggingOptions,
  PutSymlinkOptions,
  RestoreObjectOptions,
  UploadOptions,
  UploadPartCopyOptions,
  UploadPartOptions,
  WriteOptions,
} from './call-options.js';
import { validateError } from './errors.js';
import { Executor, type OssRequest } from './executor.js';
import { resolveOptions, type ClientConfig, type OssClientOptions } from './options.js';
import { RequestGate } from './request-gate.js';
import {
  bucketInfoResult,
  completeMultipartUploadResult,
  copyObjectResult,
  deleteObjectResult,
  deleteObjectsResult,
  getBucketVersioningResult,
  getObjectAclResult,
  getObjectTaggingResult,
  getSymlinkResult,
  initiateMultipartUploadResult,
  listBucketsResult,
  listMultipartUploadsResult,
  listObjectsResult,
  listObjectVersionsResult,
  listPartsResult,
  objectMeta,
  putObjectResult,
  resultBase,
  uploadPartCopyResult,
  type AppendObjectResult,
  type BucketInfoResult,
  type CompleteMultipartUploadResult,
  type CopyObjectResult,
  type DeleteObjectResult,
  type DeleteObjectsResult,
  type GetBucketVersioningResult,
  type GetObjectAclResult,
  type GetObjectResult,
  type GetObjectStreamResult,
  type GetObjectTaggingResult,
  type GetSymlinkResult,
  type InitiateMultipartUploadResult,
  type ListBucketsResult,
  type ListMultipartUploadsResult,
  type ListObjectsResult,
  type ListObjectVersionsResult,
  type ListPartsResult,
  type ObjectMeta,
  type PartSummary,
  type PutObjectResult,
  type RestoreObjectResult,
  type ResultBase,
  type UploadPartCopyResult,
  type UploadPartResult,
} from './results.js';
import { resumableUpload, type ResumableUploadOptions } from './resumable.js';
import { presignParams } from './signer.js';

export class OssClient {
  readonly #config: ClientConfig;
  readonly #gate = new RequestGate();
  readonly #agents: { http: http.Agent; https: https.Agent };
  readonly #executor: Executor;

  constructor(options: OssClientOptions) {
    this.#config = resolveOptions(options);
    const agentOptions = { keepAlive: true, maxSockets: this.#config.maxSockets };
    this.#agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
    this.#executor = new Executor(this.#config, this.#gate, this.#agents);
  }

  // -------------------------------------------------------------------------------------------------------------
  // DisableRequest / EnableRequest

  /** Aborts every in-flight request of this client (ClientError:200042) and refuses new ones (100002). */
  disableRequests(): void {
    this.#gate.disable();
  }

  /** New calls work again; nothing that was aborted resumes by itself. */
  enableRequests(): void {
    this.#gate.enable();
  }

  get requestsEnabled(): boolean {
    return this.#gate.enabled;
  }

  /** Closes the idle keep-alive sockets of this client. */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Service and buckets

  async listBuckets(o: ListBucketsOptions = {}): Promise<ListBucketsResult> {
    const query = params({ prefix: o.prefix, marker: o.marker, 'max-keys': o.maxKeys });
    return listBucketsResult(await this.#executor.request({ method: 'GET', query }));
  }

  async putBucket(o: PutBucketOptions): Promise<ResultBase> {
    checkBucket(o.bucket);
    const config =
      o.storageClass || o.dataRedundancyType
        ? buildXml('CreateBucketConfiguration', {
            StorageClass: o.storageClass,
            DataRedundancyType: o.dataRedundancyType,
          })
        : undefined;
    const res = await this.#executor.request({
      method: 'PUT',
      bucket: o.bucket,
      headers: o.acl ? { 'x-oss-acl': o.acl } : {},
      body: config === undefined ? undefined : bytesBody(config),
    });
    return resultBase(res);
  }

  async deleteBucket(o: BucketOptions): Promise<ResultBase> {
    checkBucket(o.bucket);
    return resultBase(await this.#executor.request({ method: 'DELETE', bucket: o.bucket }));
  }

  async getBucketInfo(o: BucketOptions): Promise<BucketInfoResult> {
    checkBucket(o.bucket);
    const res = await this.#executor.request({ method: 'GET', bucket: o.bucket, query: [['bucketInfo', undefined]] });
    return bucketInfoResult(res);
  }

  /** PutBucketVersioning (docs/protocol.md#versioning): Enabled or Suspended; a bucket never returns to unversioned. */
  async putBucketVersioning(o: PutBucketVersioningOptions): Promise<ResultBase> {
    checkBucket(o.bucket);
    if (o.status !== 'Enabled' && o.status !== 'Suspended') throw validateError('status must be Enabled or Suspended.');
    const xml = buildXml('VersioningConfiguration', { Status: o.status });
    const res = await this.#executor.request({
      method: 'PUT',
      bucket: o.bucket,
      query: [['versioning', undefined]],
      headers: { 'content-type': 'application/xml' },
      body: bytesBody(Buffer.from(xml, 'utf8')),
    });
    return resultBase(res);
  }

  async getBucketVersioning(o: BucketOptions): Promise<GetBucketVersioningResult> {
    checkBucket(o.bucket);
    const res = await this.#executor.request({ method: 'GET', bucket: o.bucket, query: [['versioning', undefined]] });
    return getBucketVersioningResult(res);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Objects

  async putObject(o: PutObjectOptions): Promise<PutObjectResult> {
    checkObject(o);
    if ((o.body === undefined) === (o.file === undefined)) throw validateError('Give exactly one of body and file.');
    const body = o.file !== undefined ? await fileBody(o.file) : toRequestBody(o.body!);
    const res = await this.#executor.request({
      method: 'PUT',
      bucket: o.bucket,
      key: o.key,
      headers: writeHeaders(o),
      body,
      uploadCrc: true,
    });
    return putObjectResult(res);
  }

  async getObject(o: GetObjectOptions): Promise<GetObjectResult> {
    checkObject(o);
    const res = await this.#executor.request(this.getRequest(o));
    return { ...objectMeta(resultBase(res)), content: res.body };
  }

  /** GetObject with the body as a stream; disableRequests() aborts the stream too. */
  async getObjectStream(o: GetObjectOptions): Promise<GetObjectStreamResult> {
    checkObject(o);
    const res = await this.#executor.requestStream(this.getRequest(o));
    return { ...objectMeta({ requestId: res.requestId, status: res.status, headers: res.headers }), stream: res.body };
  }

  private getRequest(o: GetObjectOptions): OssRequest {
    const headers = { ...lower(o.headers), ...conditionHeaders(o) };
    if (o.range) {
      if (!(o.range.start >= 0) || (o.range.end !== undefined && !(o.range.end >= o.range.start))) {
        throw validateError('The range is invalid.');
      }
      headers.range = `bytes=${o.range.start}-${o.range.end ?? ''}`;
      if (o.standardRange) headers['x-oss-range-behavior'] = 'standard';
    }
    // OssClientImpl skips the CRC comparison when the request carried Range.
    return {
      method: 'GET',
      bucket: o.bucket,
      key: o.key,
      query: versionQuery(o.versionId),
      headers,
      downloadCrc: headers.range === undefined,
    };
  }

  async headObject(o: HeadObjectOptions): Promise<ObjectMeta> {
    checkObject(o);
    const headers = { ...lower(o.headers), ...conditionHeaders(o) };
    const res = await this.#executor.request({
      method: 'HEAD',
      bucket: o.bucket,
      key: o.key,
      query: versionQuery(o.versionId),
      headers,
    });
    return objectMeta(resultBase(res));
  }

  /** In a versioned bucket: without versionId a delete marker is added, with it that version goes for good. */
  async deleteObject(o: DeleteObjectOptions): Promise<DeleteObjectResult> {
    checkObject(o);
    const res = await this.#executor.request({
      method: 'DELETE',
      bucket: o.bucket,
      key: o.key,
      query: versionQuery(o.versionId),
      headers: lower(o.headers),
    });
    return deleteObjectResult(res);
  }

  /** DeleteMultipleObjects; its Content-MD5 is required by OSS (docs/protocol.md#delete-multiple-objects). */
  async deleteObjects(o: DeleteObjectsOptions): Promise<DeleteObjectsResult> {
    checkBucket(o.bucket);
    if (o.keys.length === 0 || o.keys.length > 1000) throw validateError('Give 1 to 1000 keys.');
    const objects = o.keys.map((k) => (typeof k === 'string' ? { key: k } : k));
    for (const { key, versionId } of objects) {
      checkKey(key);
      // an empty <VersionId> is MalformedXML and deletes nothing (docs/protocol.md#versioning)
      if (versionId === '') throw validateError(`The version ID of "${key}" is empty.`);
    }
    const xml = buildXml('Delete', {
      Quiet: o.quiet ?? false,
      Object: objects.map(({ key, versionId }) => ({ Key: key, VersionId: versionId })),
    });
    const res = await this.#executor.request({
      method: 'POST',
      bucket: o.bucket,
      query: [['delete', undefined]],
      headers: { 'content-md5': md5Base64(xml), 'content-type': 'application/xml' },
      body: bytesBody(xml),
    });
    return deleteObjectsResult(res);
  }

  async copyObject(o: CopyObjectOptions): Promise<CopyObjectResult> {
    checkObject(o);
    const headers = writeHeaders(o);
    headers['x-oss-copy-source'] = copySource(o.sourceBucket ?? o.bucket, o.sourceKey);
    if (o.metadataDirective) headers['x-oss-metadata-directive'] = o.metadataDirective;
    if (o.taggingDirective) headers['x-oss-tagging-directive'] = o.taggingDirective;
    const res = await this.#executor.request({ method: 'PUT', bucket: o.bucket, key: o.key, headers });
    return copyObjectResult(res);
  }

  /** PutObjectTagging: replaces the object's tags (at most 10). */
  async putObjectTagging(o: PutObjectTaggingOptions): Promise<ResultBase> {
    checkObject(o);
    const xml = buildXml('Tagging', {
      TagSet: { Tag: Object.entries(o.tags).map(([key, value]) => ({ Key: key, Value: value })) },
    });
    const res = await this.#executor.request({
      method: 'PUT',
      bucket: o.bucket,
      key: o.key,
      query: [['tagging', undefined]],
      headers: { ...lower(o.headers), 'content-md5': md5Base64(xml), 'content-type': 'application/xml' },
      body: bytesBody(xml),
    });
    return resultBase(res);
  }

  async getObjectTagging(o: ObjectOptions): Promise<GetObjectTaggingResult> {
    checkObject(o);
    const res = await this.#executor.request({
      method: 'GET',
      bucket: o.bucket,
      key: o.key,
      query: [['tagging', undefined]],
      headers: lower(o.headers),
    });
    return getObjectTaggingResult(res);
  }

  async deleteObjectTagging(o: ObjectOptions): Promise<ResultBase> {
    checkObject(o);
    const res = await this.#executor.request({
      method: 'DELETE',
      bucket: o.bucket,
      key: o.key,
      query: [['tagging', undefined]],
      headers: lower(o.headers),
    });
    return resultBase(res);
  }

  async putObjectAcl(o: PutObjectAclOptions): Promise<ResultBase> {
    checkObject(o);
    const res = await this.#executor.request({
      method: 'PUT',
      bucket: o.bucket,
      key: o.key,
      query: [['acl', undefined]],
      headers: { ...lower(o.headers), 'x-oss-object-acl': o.acl },
    });
    return resultBase(res);
  }

  async getObjectAcl(o: ObjectOptions): Promise<GetObjectAclResult> {
    checkObject(o);
    const res = await this.#executor.request({
      method: 'GET',
      bucket: o.bucket,
      key: o.key,
      query: [['acl', undefined]],
      headers: lower(o.headers),
    });
    return getObjectAclResult(res);
  }

  /** PutSymlink: `key` becomes a link to `target` in the same bucket (which need not exist yet). */
  async putSymlink(o: PutSymlinkOptions): Promise<PutObjectResult> {
    checkObject(o);
    checkKey(o.target);
    const headers = writeHeaders(o);
    headers['x-oss-symlink-target'] = encodeKey(o.target);
    const res = await this.#executor.request({
      method: 'PUT',
      bucket: o.bucket,
      key: o.key,
      query: [['symlink', undefined]],
      headers,
    });
    return putObjectResult(res);
  }

  async getSymlink(o: ObjectOptions): Promise<GetSymlinkResult> {
    checkObject(o);
    const res = await this.#executor.request({
      method: 'GET',
      bucket: o.bucket,
      key: o.key,
      query: [['symlink', undefined]],
      headers: lower(o.headers),
    });
    return getSymlinkResult(resultBase(res));
  }

  /** RestoreObject of an Archive, ColdArchive or DeepColdArchive object. */
  async restoreObject(o: RestoreObjectOptions): Promise<RestoreObjectResult> {
    checkObject(o);
    if (o.days !== undefined && (!Number.isInteger(o.days) || o.days < 1)) throw validateError('days must be >= 1.');
    const request: Record<string, XmlValue> = {};
    if (o.days !== undefined) request.Days = o.days;
    if (o.tier !== undefined) request.JobParameters = { Tier: o.tier };
    const xml = Object.keys(request).length === 0 ? undefined : buildXml('RestoreRequest', request);
    const res = await this.#executor.request({
      method: 'POST',
      bucket: o.bucket,
      key: o.key,
      query: [['restore', undefined]],
      headers: xml === undefined ? lower(o.headers) : { ...lower(o.headers), 'content-type': 'application/xml' },
      ...(xml === undefined ? {} : { body: bytesBody(xml) }),
    });
    return { ...resultBase(res), restoring: res.status === 202 };
  }

  async appendObject(o: AppendObjectOptions): Promise<AppendObjectResult> {
    checkObject(o);
    if (!Number.isSafeInteger(o.position) || o.position < 0) throw validateError('The position is invalid.');
    const res = await this.#executor.request({
      method: 'POST',
      bucket: o.bucket,
      key: o.key,
      query: [
        ['append', undefined],
        ['position', String(o.position)],
      ],
      headers: writeHeaders(o),
      body: toRequestBody(o.body),
      // Without the CRC of what precedes the append the response's whole-object CRC cannot be checked.
      uploadCrc: o.initCrc ?? false,
    });
    return { ...putObjectResult(res), nextPosition: Number(res.headers['x-oss-next-append-position'] ?? 0) };
  }

  /** ListObjectsV2, keys URL-encoded on the wire and decoded here. */
  async listObjects(o: ListObjectsOptions): Promise<ListObjectsResult> {
    checkBucket(o.bucket);
    const query = params({
      'list-type': '2',
      prefix: o.prefix,
      delimiter: o.delimiter,
      'start-after': o.startAfter,
      'continuation-token': o.continuationToken,
      'max-keys': o.maxKeys,
      'fetch-owner': o.fetchOwner,
      'encoding-type': 'url',
    });
    return listObjectsResult(await this.#executor.request({ method: 'GET', bucket: o.bucket, query }));
  }

  /**
   * One page of ListObjectVersions (docs/protocol.md#versioning): versions and delete markers, keys URL-encoded on the
   * wire and decoded here. The next page: keyMarker = nextKeyMarker, versionIdMarker = nextVersionIdMarker.
   */
  async listObjectVersions(o: ListObjectVersionsOptions): Promise<ListObjectVersionsResult> {
    checkBucket(o.bucket);
    // OSS refuses a version-id-marker without key-marker (InvalidArgument, docs/protocol.md#versioning)
    if (o.versionIdMarker !== undefined && !o.keyMarker) throw validateError('versionIdMarker needs keyMarker.');
    const query: QueryParams = [
      ['versions', undefined],
      ...params({
        prefix: o.prefix,
        delimiter: o.delimiter,
        'key-marker': o.keyMarker,
        'version-id-marker': o.versionIdMarker,
        'max-keys': o.maxKeys,
        'encoding-type': 'url',
      }),
    ];
    return listObjectVersionsResult(await this.#executor.request({ method: 'GET', bucket: o.bucket, query }));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Multipart upload

  async initiateMultipartUpload(o: WriteOptions): Promise<InitiateMultipartUploadResult> {
    checkObject(o);
    const res = await this.#executor.request({
      method: 'POST',
      bucket: o.bucket,
      key: o.key,
      query: [['uploads', undefined]],
      headers: writeHeaders(o),
    });
    return initiateMultipartUploadResult(res);
  }

  async uploadPart(o: UploadPartOptions): Promise<UploadPartResult> {
    checkObject(o);
    checkPartNumber(o.partNumber);
    const body = isRequestBody(o.body) ? o.body : toRequestBody(o.body);
    const res = await this.#executor.request({
      method: 'PUT',
      bucket: o.bucket,
      key: o.key,
      query: partQuery(o.partNumber, o.uploadId),
      headers: lower(o.headers),
      body,
      uploadCrc: true,
    });
    const put = putObjectResult(res);
    return {
      ...resultBase(res),
      partNumber: o.partNumber,
      etag: put.etag,
      crc64: put.crc64 ?? res.sentCrc64,
      size: body.length ?? 0,
    };
  }

  async uploadPartCopy(o: UploadPartCopyOptions): Promise<UploadPartCopyResult> {
    checkObject(o);
    checkPartNumber(o.partNumber);
    const headers = lower(o.headers);
    headers['x-oss-copy-source'] = copySource(o.sourceBucket ?? o.bucket, o.sourceKey);
    if (o.sourceRange) headers['x-oss-copy-source-range'] = `bytes=${o.sourceRange.start}-${o.sourceRange.end}`;
    const res = await this.#executor.request({
      method: 'PUT',
      bucket: o.bucket,
      key: o.key,
      query: partQuery(o.partNumber, o.uploadId),
      headers,
    });
    return uploadPartCopyResult(res, o.partNumber);
  }

  /** One page of ListParts. */
  async listParts(o: ListPartsOptions): Promise<ListPartsResult> {
    checkObject(o);
    const query: QueryParams = [
      ['uploadId', o.uploadId],
      ...params({
        'max-parts': o.maxParts,
        'part-number-marker': o.partNumberMarker,
      }),
    ];
    return listPartsResult(await this.#executor.request({ method: 'GET', bucket: o.bucket, key: o.key, query }));
  }

  /** Every part of an upload, following NextPartNumberMarker page by page. */
  async listAllParts(o: ListPartsOptions): Promise<PartSummary[]> {
    const parts: PartSummary[] = [];
    let marker = o.partNumberMarker ?? 0;
    // A part number is at most 10000, so a well-behaved server needs far fewer pages than this bound.
    for (let page = 0; page <= 10_000; page++) {
      const result = await this.listParts({ ...o, partNumberMarker: marker });
      parts.push(...result.parts);
      if (!result.isTruncated) return parts;
      if (!(result.nextPartNumberMarker > marker)) break;
      marker = result.nextPartNumberMarker;
    }
    throw validateError('ListParts did not advance its NextPartNumberMarker.');
  }

  async listMultipartUploads(o: ListMultipartUploadsOptions): Promise<ListMultipartUploadsResult> {
    checkBucket(o.bucket);
    const query: QueryParams = [
      ['uploads', undefined],
      ...params({
        prefix: o.prefix,
        delimiter: o.delimiter,
        'key-marker': o.keyMarker,
        'upload-id-marker': o.uploadIdMarker,
        'max-uploads': o.maxUploads,
        'encoding-type': 'url',
      }),
    ];
    return listMultipartUploadsResult(await this.#executor.request({ method: 'GET', bucket: o.bucket, query }));
  }

  async completeMultipartUpload(o: CompleteMultipartUploadOptions): Promise<CompleteMultipartUploadResult> {
    checkObject(o);
    if (o.parts.length === 0) throw validateError('The part list is empty.');
    const parts = [...o.parts].sort((a, b) => a.partNumber - b.partNumber);
    const xml = buildXml('CompleteMultipartUpload', {
      Part: parts.map((p) => ({ PartNumber: p.partNumber, ETag: quoteEtag(p.etag.replace(/^"|"$/g, '')) })),
    });
    const res = await this.#executor.request({
      method: 'POST',
      bucket: o.bucket,
      key: o.key,
      query: [['uploadId', o.uploadId]],
      headers: { ...lower(o.headers), 'content-type': 'application/xml' },
      body: bytesBody(xml),
    });
    const result = completeMultipartUploadResult(res);
    if (this.#config.crc64Check && parts.every((p) => p.crc64 !== undefined && p.size !== undefined)) {
      const known = parts as Array<Required<CompletePart>>;
      const mismatch = crcMismatch({
        headers: res.headers,
        actual: combineCrc64(known.map((p) => ({ crc64: p.crc64, size: p.size }))),
        transferred: known.reduce((sum, p) => sum + p.size, 0),
        status: res.status,
      });
      if (mismatch) throw mismatch;
    }
    return result;
  }

  async abortMultipartUpload(o: UploadOptions): Promise<ResultBase> {
    checkObject(o);
    const res = await this.#executor.request({
      method: 'DELETE',
      bucket: o.bucket,
      key: o.key,
      query: [['uploadId', o.uploadId]],
      headers: lower(o.headers),
    });
    return resultBase(res);
  }

  /** Multipart upload of a file with a checkpoint, resumable after a disable (see resumable.ts). */
  resumableUpload(o: ResumableUploadOptions): Promise<PutObjectResult> {
    return resumableUpload(this, o);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Presigned URLs

  /** A V1 or V4 (per signatureVersion) presigned URL for a GET or PUT of one object. */
  presignUrl(o: PresignOptions): string {
    checkObject(o);
    const expiresSeconds = o.expiresSeconds ?? 900;
    if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > 604_800) {
      throw validateError('expiresSeconds must be an integer from 1 to 604800.');
    }
    const query: QueryParams = Object.entries(o.query ?? {});
    const method = o.method ?? 'GET';
    const signed = presignParams(
      { method, bucket: o.bucket, key: o.key, query, headers: wireHeaders(lower(o.headers)) },
      this.#config,
      { now: this.#executor.now(), expiresSeconds },
    );
    const { endpoint } = this.#config;
    const target = requestTarget(endpoint, { pathStyle: this.#config.pathStyle, bucket: o.bucket, key: o.key });
    return `${endpoint.protocol}//${target.host}${target.path}?${encodeQuery([...query, ...signed])}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Argument checks and header helpers

function checkBucket(bucket: string): void {
  if (typeof bucket !== 'string' || !isValidBucketName(bucket)) {
    throw validateError('The Bucket name is invalid, please check it.');
  }
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || objectKeyError(key) !== undefined) {
    throw validateError('The Object name is invalid, please check it.');
  }
}

function checkObject(o: { bucket: string; key: string }): void {
  checkBucket(o.bucket);
  checkKey(o.key);
}

function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw validateError('The part number must be 1 to 10000.');
}

function isRequestBody(body: BodyInput | RequestBody): body is RequestBody {
  return (
    typeof body === 'object' &&
    body !== null &&
    'open' in body &&
    typeof body.open === 'function' &&
    'replayable' in body
  );
}

function partQuery(partNumber: number, uploadId: string): QueryParams {
  return [
    ['partNumber', String(partNumber)],
    ['uploadId', uploadId],
  ];
}

/** Query parameters that were given, in order, as strings. */
function params(values: Record<string, string | number | boolean | undefined>): QueryParams {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([name, value]) => [name, String(value)]);
}

function lower(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

function wireHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, toWireHeader(value)]));
}

function writeHeaders(o: WriteOptions): Record<string, string> {
  const headers = lower(o.headers);
  if (o.contentType) headers['content-type'] = o.contentType;
  for (const [name, value] of Object.entries(o.meta ?? {})) headers[`x-oss-meta-${name.toLowerCase()}`] = value;
  if (o.tags !== undefined) headers['x-oss-tagging'] = taggingHeader(o.tags);
  if (o.acl !== undefined) headers['x-oss-object-acl'] = o.acl;
  if (o.storageClass !== undefined) headers['x-oss-storage-class'] = o.storageClass;
  return headers;
}

/** `k1=v1&k2=v2`, each key and value URL-encoded (developer-reference/putobject, x-oss-tagging). */
function taggingHeader(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
}

function conditionHeaders(c: Conditions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (c.ifMatch !== undefined) headers['if-match'] = c.ifMatch;
  if (c.ifNoneMatch !== undefined) headers['if-none-match'] = c.ifNoneMatch;
  if (c.ifModifiedSince) headers['if-modified-since'] = httpDate(c.ifModifiedSince);
  if (c.ifUnmodifiedSince) headers['if-unmodified-since'] = httpDate(c.ifUnmodifiedSince);
  return headers;
}

/** `/<bucket>/<key>` with the key percent-encoded (docs/protocol.md#copyobject). */
function copySource(bucket: string, key: string): string {
  checkBucket(bucket);
  checkKey(key);
  return `/${bucket}/${encodeKey(key)}`;
}

function md5Base64(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('base64');
}

/** `?versionId=` when a call addresses one version (docs/protocol.md#versioning). */
function versionQuery(versionId: string | undefined): QueryParams {
  return versionId === undefined ? [] : [['versionId', versionId]];
}
