// The operation table: for each OSS operation the mock serves, the request that selects it (dispatch.ts reads the
// routes), the handler that answers it, and whether x-oss-traffic-limit slows its transfer. Adding an operation means
// adding its name to exchange/exchange.ts OPERATIONS and its row here; the compiler insists on both.
import type { OperationName } from '../exchange/exchange.js';
import { deleteBucket, getBucketAcl, getBucketInfo, getBucketLocation, putBucket, putBucketAcl } from './bucket.js';
import { deleteBucketCors, getBucketCors, optionObject, putBucketCors } from './cors.js';
import { deleteMultipleObjects } from './delete-multiple.js';
import { postObject } from './post-object.js';
import { listObjects, listObjectsV2 } from './listing.js';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  initiateMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
  uploadPartCopy,
} from './multipart.js';
import { deleteObject, getObject, getObjectMeta, headObject, putObject } from './object.js';
import { getObjectAcl, putObjectAcl } from './object-acl.js';
import { appendObject } from './object-append.js';
import { copyObject } from './object-copy.js';
import { restoreObject } from './restore.js';
import { listBuckets } from './service.js';
import { getBucketVersioning, listObjectVersions, putBucketVersioning } from './versioning.js';
import { getSymlink, putSymlink } from './symlink.js';
import { deleteObjectTagging, getObjectTagging, putObjectTagging } from './tagging.js';

import type { Handler } from './handler.js';

export type { Handler, OperationServices } from './handler.js';

export type TargetLevel = 'service' | 'bucket' | 'object';

/** The request that selects an operation. */
export interface Route {
  method: string;
  /** several levels: the same operation on a bucket and on an object (a CORS preflight) */
  level: TargetLevel | readonly TargetLevel[];
  /** query names that must be present (even empty: `?uploads=`) */
  markers: readonly string[];
  /** markers the operation reads but does not require (the handler validates them) */
  optional?: readonly string[];
  /** true: x-oss-copy-source required; false: it must be absent */
  copySource?: boolean;
}

export interface OperationEntry {
  route: Route;
  handler: Handler;
  /**
   * The RAM action a permission check asks for (https://www.alibabacloud.com/help/en/oss/user-guide/ram-policy-overview);
   * CopyObject and UploadPartCopy also need oss:GetObject on their source (auth/permissions.ts).
   */
  action: `oss:${string}`;
  /** x-oss-traffic-limit (header, or query parameter of a presigned URL) slows this operation's transfer */
  trafficLimited?: true;
  /**
   * The request's headers and URL are not authenticated: PostObject carries its signature in the form, which the
   * handler checks (developer-reference/postobject: "OSS does not check the signature information in headers or
   * URLs"), and a CORS preflight is never signed (developer-reference/options).
   */
  unsigned?: true;
}

/** In match order: a request is dispatched to the first row whose route it satisfies. */
export const OPERATION_TABLE: { readonly [N in OperationName]: OperationEntry } = {
  ListBuckets: {
    route: { method: 'GET', level: 'service', markers: [] },
    handler: listBuckets,
    action: 'oss:ListBuckets',
  },
  PutBucket: { route: { method: 'PUT', level: 'bucket', markers: [] }, handler: putBucket, action: 'oss:PutBucket' },
  DeleteBucket: {
    route: { method: 'DELETE', level: 'bucket', markers: [] },
    handler: deleteBucket,
    action: 'oss:DeleteBucket',
  },
  GetBucketInfo: {
    route: { method: 'GET', level: 'bucket', markers: ['bucketInfo'] },
    handler: getBucketInfo,
    action: 'oss:GetBucketInfo',
  },
  GetBucketLocation: {
    route: { method: 'GET', level: 'bucket', markers: ['location'] },
    handler: getBucketLocation,
    action: 'oss:GetBucketLocation',
  },
  GetBucketAcl: {
    route: { method: 'GET', level: 'bucket', markers: ['acl'] },
    handler: getBucketAcl,
    action: 'oss:GetBucketAcl',
  },
  PutBucketAcl: {
    route: { method: 'PUT', level: 'bucket', markers: ['acl'] },
    handler: putBucketAcl,
    action: 'oss:PutBucketAcl',
  },
  PutBucketCors: {
    route: { method: 'PUT', level: 'bucket', markers: ['cors'] },
    handler: putBucketCors,
    action: 'oss:PutBucketCors',
  },
  GetBucketCors: {
    route: { method: 'GET', level: 'bucket', markers: ['cors'] },
    handler: getBucketCors,
    action: 'oss:GetBucketCors',
  },
  DeleteBucketCors: {
    route: { method: 'DELETE', level: 'bucket', markers: ['cors'] },
    handler: deleteBucketCors,
    action: 'oss:DeleteBucketCors',
  },
  // never signed, so never checked against a permission; the action is the name ossutil's option-object gives it
  OptionObject: {
    route: { method: 'OPTIONS', level: ['bucket', 'object'], markers: [] },
    handler: optionObject,
    action: 'oss:OptionObject',
    unsigned: true,
  },
  PutBucketVersioning: {
    route: { method: 'PUT', level: 'bucket', markers: ['versioning'] },
    handler: putBucketVersioning,
    action: 'oss:PutBucketVersioning',
  },
  GetBucketVersioning: {
    route: { method: 'GET', level: 'bucket', markers: ['versioning'] },
    handler: getBucketVersioning,
    action: 'oss:GetBucketVersioning',
  },
  ListObjectVersions: {
    route: { method: 'GET', level: 'bucket', markers: ['versions'] },
    handler: listObjectVersions,
    action: 'oss:ListObjectVersions',
  },
  ListMultipartUploads: {
    route: { method: 'GET', level: 'bucket', markers: ['uploads'] },
    handler: listMultipartUploads,
    action: 'oss:ListMultipartUploads',
  },
  ListObjectsV2: {
    route: { method: 'GET', level: 'bucket', markers: ['list-type'] },
    handler: listObjectsV2,
    action: 'oss:ListObjects',
  },
  ListObjects: {
    route: { method: 'GET', level: 'bucket', markers: [] },
    handler: listObjects,
    action: 'oss:ListObjects',
  },
  // developer-reference/postobject: "Uploading by HTML form requires the oss:PutObject permission"
  PostObject: {
    route: { method: 'POST', level: 'bucket', markers: [] },
    handler: postObject,
    action: 'oss:PutObject',
    unsigned: true,
  },
  DeleteMultipleObjects: {
    route: { method: 'POST', level: 'bucket', markers: ['delete'] },
    handler: deleteMultipleObjects,
    action: 'oss:DeleteObject',
  },
  UploadPartCopy: {
    route: { method: 'PUT', level: 'object', markers: ['partNumber', 'uploadId'], copySource: true },
    handler: uploadPartCopy,
    action: 'oss:PutObject',
    trafficLimited: true,
  },
  UploadPart: {
    route: { method: 'PUT', level: 'object', markers: ['partNumber', 'uploadId'], copySource: false },
    handler: uploadPart,
    action: 'oss:PutObject',
    trafficLimited: true,
  },
  PutObjectTagging: {
    route: { method: 'PUT', level: 'object', markers: ['tagging'] },
    handler: putObjectTagging,
    action: 'oss:PutObjectTagging',
  },
  GetObjectTagging: {
    route: { method: 'GET', level: 'object', markers: ['tagging'] },
    handler: getObjectTagging,
    action: 'oss:GetObjectTagging',
  },
  DeleteObjectTagging: {
    route: { method: 'DELETE', level: 'object', markers: ['tagging'] },
    handler: deleteObjectTagging,
    action: 'oss:DeleteObjectTagging',
  },
  PutObjectAcl: {
    route: { method: 'PUT', level: 'object', markers: ['acl'] },
    handler: putObjectAcl,
    action: 'oss:PutObjectAcl',
  },
  GetObjectAcl: {
    route: { method: 'GET', level: 'object', markers: ['acl'] },
    handler: getObjectAcl,
    action: 'oss:GetObjectAcl',
  },
  PutSymlink: {
    route: { method: 'PUT', level: 'object', markers: ['symlink'] },
    handler: putSymlink,
    action: 'oss:PutObject',
  },
  GetSymlink: {
    route: { method: 'GET', level: 'object', markers: ['symlink'] },
    handler: getSymlink,
    action: 'oss:GetObject',
  },
  RestoreObject: {
    route: { method: 'POST', level: 'object', markers: ['restore'] },
    handler: restoreObject,
    action: 'oss:RestoreObject',
  },
  CopyObject: {
    route: { method: 'PUT', level: 'object', markers: [], copySource: true },
    handler: copyObject,
    action: 'oss:PutObject',
    trafficLimited: true,
  },
  PutObject: {
    route: { method: 'PUT', level: 'object', markers: [], copySource: false },
    handler: putObject,
    action: 'oss:PutObject',
    trafficLimited: true,
  },
  ListParts: {
    route: { method: 'GET', level: 'object', markers: ['uploadId'] },
    handler: listParts,
    action: 'oss:ListParts',
  },
  GetObject: {
    route: { method: 'GET', level: 'object', markers: [] },
    handler: getObject,
    action: 'oss:GetObject',
    trafficLimited: true,
  },
  GetObjectMeta: {
    route: { method: 'HEAD', level: 'object', markers: ['objectMeta'] },
    handler: getObjectMeta,
    action: 'oss:GetObject',
  },
  HeadObject: { route: { method: 'HEAD', level: 'object', markers: [] }, handler: headObject, action: 'oss:GetObject' },
  InitiateMultipartUpload: {
    route: { method: 'POST', level: 'object', markers: ['uploads'] },
    handler: initiateMultipartUpload,
    action: 'oss:PutObject',
  },
  CompleteMultipartUpload: {
    route: { method: 'POST', level: 'object', markers: ['uploadId'] },
    handler: completeMultipartUpload,
    action: 'oss:PutObject',
  },
  AppendObject: {
    route: { method: 'POST', level: 'object', markers: ['append'], optional: ['position'] },
    handler: appendObject,
    action: 'oss:PutObject',
    trafficLimited: true,
  },
  AbortMultipartUpload: {
    route: { method: 'DELETE', level: 'object', markers: ['uploadId'] },
    handler: abortMultipartUpload,
    action: 'oss:AbortMultipartUpload',
  },
  DeleteObject: {
    route: { method: 'DELETE', level: 'object', markers: [] },
    handler: deleteObject,
    action: 'oss:DeleteObject',
  },
};
