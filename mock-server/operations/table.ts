// Operation name -> handler: the second half of the dispatch table (operations/dispatch.ts holds the first).
import type { OperationName } from '../exchange/exchange.js';
import { deleteBucket, getBucketAcl, getBucketInfo, getBucketLocation, putBucket } from './bucket.js';
import { deleteMultipleObjects } from './delete-multiple.js';
import type { Handler } from './handler.js';
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
import { appendObject } from './object-append.js';
import { copyObject } from './object-copy.js';
import { listBuckets } from './service.js';

export type { Handler, OperationServices } from './handler.js';

export const HANDLERS: Record<OperationName, Handler> = {
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
  DeleteMultipleObjects: deleteMultipleObjects,
  CopyObject: copyObject,
  AppendObject: appendObject,
  GetObjectMeta: getObjectMeta,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListBuckets: listBuckets,
  PutBucket: putBucket,
  DeleteBucket: deleteBucket,
  GetBucketInfo: getBucketInfo,
  GetBucketLocation: getBucketLocation,
  GetBucketAcl: getBucketAcl,
  InitiateMultipartUpload: initiateMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  ListParts: listParts,
  ListMultipartUploads: listMultipartUploads,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
};
