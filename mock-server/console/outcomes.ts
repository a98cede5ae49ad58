// The console's list of finished uploads, derived from the event log (request.start ... request.end of each
// upload request) and enriched with what the in-flight registry last showed of it. Deriving it from the log means
// the request path does nothing for the console: the list exists only while a console is open, rebuilt from the log
// when the first one connects.

import type { InflightEntry, MockEvent } from '../control/types.js';
import type { FinishedUpload, UploadOutcome } from './wire.js';

/** Requests whose body is object data; the small XML bodies of other operations are not uploads. */
export const UPLOAD_OPERATIONS: ReadonlySet<string> = new Set(['PutObject', 'AppendObject', 'UploadPart']);

/** Finished uploads the console keeps. */
export const RECENT_UPLOADS = 200;

interface Pending {
  start: MockEvent;
  committed?: { size: number; etag: string };
  aborted?: number;
  fault?: Extract<UploadOutcome, { kind: 'fault' }>;
}

export class UploadOutcomes {
  private readonly pending = new Map<string, Pending>();
  /** the last in-flight entry seen of each request still pending */
  private readonly seen = new Map<string, InflightEntry>();
  /** oldest first */
  private readonly recent: FinishedUpload[] = [];
  private fresh: FinishedUpload[] = [];

  /** Feeds events in log order. */
  add(events: readonly MockEvent[]): void {
    for (const e of events) this.addOne(e);
  }

  /** Remembers what the registry shows now, for the contentLength and bytes of uploads that end later. */
  sawInflight(entries: readonly InflightEntry[]): void {
    for (const entry of entries) if (this.pending.has(entry.requestId)) this.seen.set(entry.requestId, entry);
  }

  /** The uploads finished since the last call, oldest first. */
  takeFinished(): FinishedUpload[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }

  /** Newest first. */
  list(): FinishedUpload[] {
    return [...this.recent].reverse();
  }

  clear(): void {
    this.pending.clear();
    this.seen.clear();
    this.recent.length = 0;
    this.fresh = [];
  }

  private addOne(e: MockEvent): void {
    if (e.requestId === undefined) return;
    if (e.type === 'request.start') {
      if (e.operation !== undefined && UPLOAD_OPERATIONS.has(e.operation)) this.pending.set(e.requestId, { start: e });
      return;
    }
    const p = this.pending.get(e.requestId);
    if (p === undefined) return;
    switch (e.type) {
      case 'object.committed':
      case 'part.stored':
        p.committed = { size: e.size, etag: e.etag };
        break;
      case 'body.aborted':
        p.aborted = e.bytesReceived;
        break;
      case 'fault.fired':
        // a stall only pauses the body; the request goes on
        if (e.fault !== 'stall' && p.fault === undefined) {
          p.fault = { kind: 'fault', fault: e.fault, ruleId: e.ruleId, atBytes: e.atBytes };
        }
        break;
      case 'request.end':
        this.pending.delete(e.requestId);
        this.finish(p, e);
        break;
      default:
        break;
    }
  }

  private finish(p: Pending, end: Extract<MockEvent, { type: 'request.end' }>): void {
    const seen = this.seen.get(end.requestId!);
    this.seen.delete(end.requestId!);
    const outcome: UploadOutcome =
      p.committed !== undefined && end.status >= 200 && end.status < 300
        ? { kind: 'committed', ...p.committed }
        : p.fault !== undefined
          ? p.fault
          : p.aborted !== undefined
            ? { kind: 'aborted', bytesReceived: p.aborted }
            : end.code === undefined
              ? { kind: 'error', status: end.status }
              : { kind: 'error', status: end.status, code: end.code };
    let bytesReceived = seen?.bytesReceived ?? null;
    if (outcome.kind === 'aborted') bytesReceived = outcome.bytesReceived;
    else if (outcome.kind === 'fault') bytesReceived = outcome.atBytes;
    else if (outcome.kind === 'committed' && p.start.operation !== 'AppendObject') bytesReceived = outcome.size;
    const { start } = p;
    const done: FinishedUpload = {
      requestId: end.requestId!,
      operation: start.operation!,
      startedAt: start.time,
      endedAt: end.time,
      contentLength: seen?.contentLength ?? null,
      bytesReceived,
      status: end.status,
      outcome,
    };
    if (start.bucket !== undefined) done.bucket = start.bucket;
    if (start.key !== undefined) done.key = start.key;
    if (start.uploadId !== undefined) done.uploadId = start.uploadId;
    if (start.partNumber !== undefined) done.partNumber = start.partNumber;
    this.recent.push(done);
    if (this.recent.length > RECENT_UPLOADS) this.recent.shift();
    this.fresh.push(done);
    if (this.fresh.length > RECENT_UPLOADS) this.fresh.shift();
  }
}
