// The ordered event log behind GET /_mock/events. Bounded: only the newest `capacity` events are kept, while seq
// keeps counting (also across reset) so a reader's `since` cursor never goes back in time.

import type { RequestContext } from '../exchange/exchange.js';
import type { EventSubject, MockEvent, MockEventInput } from './types.js';

export const EVENT_LOG_CAPACITY = 100_000;

/** The fields of an event that identify its request. */
export function eventSubject(ctx: RequestContext): EventSubject {
  const s: EventSubject = { requestId: ctx.requestId, operation: ctx.operation };
  if (ctx.accessKeyId !== undefined) s.accessKeyId = ctx.accessKeyId;
  if (ctx.bucket !== undefined) s.bucket = ctx.bucket;
  if (ctx.key !== undefined) s.key = ctx.key;
  if (ctx.uploadId !== undefined) s.uploadId = ctx.uploadId;
  if (ctx.partNumber !== undefined) s.partNumber = ctx.partNumber;
  return s;
}

export class EventLog {
  /** ring buffer: the event with seq s lives at (s - 1) % capacity */
  private readonly ring: MockEvent[] = [];
  private lastSeq = 0;
  /** seq of the oldest event still held */
  private firstSeq = 1;

  constructor(private readonly capacity = EVENT_LOG_CAPACITY) {}

  get seq(): number {
    return this.lastSeq;
  }

  append(input: MockEventInput, now = new Date()): MockEvent {
    const event = { seq: ++this.lastSeq, time: now.toISOString(), ...input } as MockEvent;
    this.ring[(event.seq - 1) % this.capacity] = event;
    this.firstSeq = Math.max(this.firstSeq, event.seq - this.capacity + 1);
    return event;
  }

  /** Events with seq > since, oldest first, at most `limit` of them. */
  since(since = 0, limit = Number.POSITIVE_INFINITY): MockEvent[] {
    const out: MockEvent[] = [];
    for (let s = Math.max(since + 1, this.firstSeq); s <= this.lastSeq && out.length < limit; s++) {
      out.push(this.ring[(s - 1) % this.capacity]!);
    }
    return out;
  }

  clear(): void {
    this.ring.length = 0;
    this.firstSeq = this.lastSeq + 1;
  }
}
