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

/**
 * An event as the log holds it: what the caller passed and when. The MockEvent (with its ISO time) is built on the
 * first read, so a request that nobody reads the log for costs no date formatting and no copy of its fields.
 */
interface Held {
  seq: number;
  ms: number;
  input: MockEventInput;
  event: MockEvent | undefined;
}

function materialize(h: Held): MockEvent {
  return (h.event ??= { seq: h.seq, time: new Date(h.ms).toISOString(), ...h.input } as MockEvent);
}

export class EventLog {
  /** ring buffer: the event with seq s lives at (s - 1) % capacity */
  private readonly ring: Held[] = [];
  private lastSeq = 0;
  /** seq of the oldest event still held */
  private firstSeq = 1;

  constructor(private readonly capacity = EVENT_LOG_CAPACITY) {}

  get seq(): number {
    return this.lastSeq;
  }

  /** Appends an event (its time: now, or `now`); returns its seq. */
  append(input: MockEventInput, now: Date | number = Date.now()): number {
    const seq = ++this.lastSeq;
    const ms = typeof now === 'number' ? now : now.getTime();
    const at = (seq - 1) % this.capacity;
    const slot = this.ring[at];
    // a full ring reuses its records: the log stays a fixed set of old objects instead of a stream of new ones
    if (slot === undefined) {
      this.ring[at] = { seq, ms, input, event: undefined };
    } else {
      slot.seq = seq;
      slot.ms = ms;
      slot.input = input;
      slot.event = undefined;
    }
    if (seq - this.capacity + 1 > this.firstSeq) this.firstSeq = seq - this.capacity + 1;
    return seq;
  }

  /** Events with seq > since, oldest first, at most `limit` of them. */
  since(since = 0, limit = Number.POSITIVE_INFINITY): MockEvent[] {
    const out: MockEvent[] = [];
    for (let s = Math.max(since + 1, this.firstSeq); s <= this.lastSeq && out.length < limit; s++) {
      out.push(materialize(this.ring[(s - 1) % this.capacity]!));
    }
    return out;
  }

  clear(): void {
    this.ring.length = 0;
    this.firstSeq = this.lastSeq + 1;
  }
}
