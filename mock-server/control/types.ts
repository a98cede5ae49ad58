// The control API's data shapes (docs/architecture.md#contracts): what GET /_mock/rules, /inflight and /events return
// and what the in-process `control` handle of startMockOss() offers. Plain JSON-able values only.

import type { FaultSpec, OperationName, RateLimit } from '../exchange/exchange.js';

export type { RateLimit };

/** Which requests a rule (or a wait) applies to; every given field must match. */
export interface RuleMatch {
  bucket?: string;
  /** the exact object key */
  key?: string;
  keyPrefix?: string;
  operation?: OperationName;
  partNumber?: number;
  uploadId?: string;
}

export type FaultType = FaultSpec['type'];

/** A declarative throttle/fault, modelled on storage-testbench's queued faults. Rates are bytes/s. */
export interface Rule {
  id: string;
  match: RuleMatch;
  ingestRate?: number;
  egressRate?: number;
  delayMs?: number;
  fault?: FaultSpec;
  /** matching requests it still applies to; undefined: every one */
  times?: number;
  /** matching requests it has applied to so far */
  hits: number;
}

/** A request whose body is being received. */
export interface InflightEntry {
  id: number;
  requestId: string;
  operation: OperationName;
  bucket?: string;
  key?: string;
  uploadId?: string;
  partNumber?: number;
  bytesReceived: number;
  /** null when the body is chunked */
  contentLength: number | null;
  /** ISO time */
  startedAt: string;
  /** bytes/s over the last second */
  rate: number;
  /** the ingest rate that applies now and what sets it; absent: unlimited */
  ingestLimit?: RateLimit;
}

export interface WaitOptions {
  match?: RuleMatch;
  /**
   * 'received' (default): matching requests in flight have received minBytes. 'aborted': matching requests with at
   * least minBytes were interrupted by their client and the mock has noticed (body.aborted is logged, nothing of
   * them was committed); requests interrupted shortly before the wait began count too.
   */
  until?: 'received' | 'aborted';
  minBytes?: number;
  /** distinct requests needed; default 1 */
  count?: number;
  timeoutMs: number;
  /** cancels the wait (e.g. the HTTP caller went away) */
  signal?: AbortSignal;
}

/** GET/POST /_mock/clock */
export interface ClockInfo {
  /** milliseconds added to the real time */
  offsetMs: number;
  /** the server's now, ISO 8601 */
  now: string;
}

export interface Rates {
  /** bytes/s; null: unlimited */
  ingestRate: number | null;
  egressRate: number | null;
}

export interface HealthInfo extends Rates {
  status: 'ok';
  /** the oss-mock package version */
  version: string;
  /** whole seconds since the server was created */
  uptimeSeconds: number;
  /** where buckets and objects are kept: in memory, or in files under `dataDir` */
  store: 'memory' | 'file';
  /** the --data-dir as an absolute path (file store only) */
  dataDir?: string;
  buckets: number;
  /** current objects over every bucket (older versions and delete markers are not counted) */
  objects: number;
  /** multipart uploads initiated and neither completed nor aborted */
  uploads: number;
  rules: number;
  inflight: number;
  /** seq of the newest event, 0 when none yet */
  lastEventSeq: number;
  /**
   * Request bodies read since the server started (not cleared by reset): `whole` were taken in one step, every byte
   * already received with the headers and nothing able to observe their delivery (no throttle, no fault inside the
   * body, no pending wait); `streamed` went through the pacing reader.
   */
  bodies: { whole: number; streamed: number };
}

/** The request an event is about (absent for events not tied to one). */
export interface EventSubject {
  requestId?: string;
  /** the access key id that signed the request (absent before authentication, and for anonymous requests) */
  accessKeyId?: string;
  operation?: OperationName;
  bucket?: string;
  key?: string;
  uploadId?: string;
  partNumber?: number;
}

export type MockEventDetails =
  | { type: 'request.start' }
  | { type: 'request.end'; status: number; code?: string }
  | { type: 'body.aborted'; bytesReceived: number }
  /** versionId: the version it made, in a versioned bucket */
  | { type: 'object.committed'; size: number; etag: string; versionId?: string }
  /** a DeleteObject (or an entry of DeleteMultipleObjects) that removed something or added a delete marker */
  | { type: 'object.deleted'; versionId?: string; deleteMarker?: true }
  | { type: 'part.stored'; size: number; etag: string }
  | { type: 'upload.initiated' }
  | { type: 'upload.completed' }
  | { type: 'upload.aborted' }
  | { type: 'rule.matched'; ruleId: string }
  /** the rule's `times` were used up by this request: it left the rule list */
  | { type: 'rule.exhausted'; ruleId: string; hits: number }
  | { type: 'fault.fired'; ruleId: string; fault: FaultType; atBytes: number }
  /** a stored object's bytes could not all be read (a damaged data dir): answered 500, or its response cut */
  | { type: 'object.unreadable'; error: string };

export type MockEventType = MockEventDetails['type'];

/** What emit() takes: an event without its seq and time (distributes over the union, unlike a plain Omit). */
export type MockEventInput = EventSubject & MockEventDetails;

export type MockEvent = { seq: number; time: string } & MockEventInput;
