// Types shared by the mock's layers: http/ builds a RequestContext per request, control/ matches rules against it,
// ingest/ reads bodies under the resulting plan, operations/ call the store. Only types live here.

import type { IncomingMessage, ServerResponse } from 'node:http';

/** OSS API operation names (docs/architecture.md#contracts). */
export const OPERATIONS = [
  'PutObject',
  'PostObject',
  'GetObject',
  'HeadObject',
  'DeleteObject',
  'DeleteMultipleObjects',
  'CopyObject',
  'AppendObject',
  'GetObjectMeta',
  'ListObjects',
  'ListObjectsV2',
  'ListBuckets',
  'PutBucket',
  'DeleteBucket',
  'GetBucketInfo',
  'GetBucketLocation',
  'GetBucketAcl',
  'PutBucketAcl',
  'PutBucketCors',
  'GetBucketCors',
  'DeleteBucketCors',
  'OptionObject',
  'PutBucketVersioning',
  'GetBucketVersioning',
  'ListObjectVersions',
  'PutObjectTagging',
  'GetObjectTagging',
  'DeleteObjectTagging',
  'PutObjectAcl',
  'GetObjectAcl',
  'PutSymlink',
  'GetSymlink',
  'RestoreObject',
  'InitiateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
  'ListParts',
  'ListMultipartUploads',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
] as const;

export type OperationName = (typeof OPERATIONS)[number];

export interface RequestContext {
  /** in-process sequence number, unique per server */
  id: number;
  /** x-oss-request-id: 24 uppercase hex, first 8 = unix seconds */
  requestId: string;
  operation: OperationName;
  bucket?: string;
  key?: string;
  uploadId?: string;
  partNumber?: number;
  /** ms since epoch */
  startedAt: number;
  /** the access key id that signed the request, once authenticated */
  accessKeyId?: string;
  /** x-oss-traffic-limit converted to bytes/s, already range-checked */
  trafficLimit?: number;
}

/** A fault as a rule declares it (docs/architecture.md#contracts). */
export interface FaultSpec {
  type: 'reset' | 'close' | 'stall' | 'error';
  /** bytes of the request body to accept first; undefined: before the body */
  afterBytes?: number;
  stallMs?: number;
  status?: number;
  code?: string;
}

/**
 * The rate that applies to a request right now and what sets it: the x-oss-traffic-limit the request carries, the
 * server default (--ingest-rate/--egress-rate or POST /_mock/rates), or a rule.
 */
export interface RateLimit {
  /** bytes/s */
  rate: number;
  by: 'traffic-limit' | 'default' | 'rule';
  /** when `by` is 'rule' */
  ruleId?: string;
}

/** What the matching rules and defaults decide for one request; computed at dispatch, rates re-read live. */
export interface RequestPlan {
  /** ids of the rules that matched (for the event log) */
  ruleIds: string[];
  delayMs: number;
  fault?: FaultSpec & { ruleId: string };
  /** live view: the slowest applicable ingest rate in bytes/s right now, or undefined for unlimited */
  ingestRate(): number | undefined;
  egressRate(): number | undefined;
  /** ingestRate() with what sets it (for GET /_mock/inflight and the console; not on the hot path) */
  ingestLimit(): RateLimit | undefined;
}

/** Everything a handler needs for one request. */
export interface Exchange {
  ctx: RequestContext;
  req: IncomingMessage;
  res: ServerResponse;
  plan: RequestPlan;
  /** Host header as the client sent it (for HostId and Location) */
  host: string;
  query: Record<string, string>;
}
