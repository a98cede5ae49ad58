// What the web console's server part sends to the page: the messages of the live stream (GET /_mock/ui/stream,
// server-sent events) and the storage-browsing JSON. The page (console-ui/) imports these types, so both sides
// change together. Plain JSON-able values only.

import type { FaultType, InflightEntry, MockEvent, Rates, Rule } from '../control/types.js';
import type { ObjectTag } from '../storage/store.js';

/** How an upload (a request carrying object data) ended. */
export type UploadOutcome =
  | { kind: 'committed'; size: number; etag: string }
  /** the client went away before the body was complete */
  | { kind: 'aborted'; bytesReceived: number }
  /** a rule's fault cut it (reset, close, or an error answer) */
  | { kind: 'fault'; fault: FaultType; ruleId: string; atBytes: number }
  /** answered with an OSS error (bad digest, idle timeout, no such upload...) */
  | { kind: 'error'; status: number; code?: string };

export interface FinishedUpload {
  requestId: string;
  operation: string;
  bucket?: string;
  key?: string;
  uploadId?: string;
  partNumber?: number;
  /** ISO times of request.start and request.end */
  startedAt: string;
  endedAt: string;
  /** as last seen in flight; null when it was never seen there (it ended between two updates) or was chunked */
  contentLength: number | null;
  /** body bytes received, when known */
  bytesReceived: number | null;
  /** HTTP status answered, 0 when none was (client gone, connection cut) */
  status: number;
  outcome: UploadOutcome;
}

export interface ConsoleInfo {
  /** 'memory' or the data directory */
  storage: string;
  auth: boolean;
  tokenRequired: boolean;
  /** the stream sends at most one update of each kind per tick */
  tickMs: number;
  operations: readonly string[];
  faultTypes: readonly FaultType[];
}

export type ConsoleMessage =
  | {
      type: 'snapshot';
      info: ConsoleInfo;
      /** server time (ms since epoch) the in-flight entries were taken at */
      now: number;
      inflight: InflightEntry[];
      /** newest first */
      recent: FinishedUpload[];
      rules: Rule[];
      rates: Rates;
      /** the newest events, oldest first */
      events: MockEvent[];
    }
  | { type: 'inflight'; now: number; inflight: InflightEntry[] }
  /** uploads that ended since the last message, oldest first */
  | { type: 'finished'; uploads: FinishedUpload[] }
  /** new events, oldest first; `skipped` older ones were not streamed (too many in one tick) */
  | { type: 'events'; events: MockEvent[]; skipped: number }
  | { type: 'rules'; rules: Rule[] }
  | { type: 'rates'; rates: Rates }
  /** POST /_mock/reset ran: storage, rules, events and the recent list were emptied */
  | { type: 'reset' };

export interface BucketRow {
  name: string;
  location: string;
  creationDate: string;
  storageClass: string;
  acl: string;
  /** PutBucketVersioning's state; absent: versioning was never set */
  versioning?: 'Enabled' | 'Suspended';
}

/** One version of a key (newest first): an object version or a delete marker. */
export interface VersionRow {
  /** `null` for the null version */
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  lastModified: string;
  /** object versions only */
  size?: number;
  etag?: string;
}

/**
 * An object as listed and shown: every field the store keeps (so a new one, such as a version id, reaches the page
 * without a change here).
 */
export interface ObjectRow {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  /** CRC-64/XZ as a decimal string, as the x-oss-hash-crc64ecma header carries it */
  crc64: string;
  lastModified: string;
  objectType: string;
  storageClass: string;
  contentType: string;
  userMeta: Record<string, string>;
  /** in the order given; empty: none */
  tags: ObjectTag[];
  [field: string]: unknown;
}

export interface ObjectPage {
  objects: ObjectRow[];
  prefixes: string[];
  truncated: boolean;
  /** the marker of the next page, when truncated */
  nextMarker?: string;
}

export interface PartRow {
  partNumber: number;
  etag: string;
  size: number;
  crc64: string;
  lastModified: string;
}

export interface UploadRow {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: string;
  parts: PartRow[];
}

export interface FinishedUploadRow {
  uploadId: string;
  bucket: string;
  key: string;
  status: 'completed' | 'aborted';
}
