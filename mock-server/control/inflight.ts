// The in-flight registry: every request body being received, with its byte count, and the waits ("barriers") that
// resolve when enough matching requests have received enough bytes, or have been interrupted by their client.
// Waits are evaluated on every byte-count update, whenever a body starts and whenever one is interrupted, never by
// polling.

import type { RequestContext, RequestPlan } from '../exchange/exchange.js';
import { RateMeter } from '../rates/rate-meter.js';
import { WaitTimeoutError } from './errors.js';
import { ruleMatches } from './rules.js';
import type { InflightEntry, RuleMatch, WaitOptions } from './types.js';

/** The handle ingest/ holds while it reads one body. */
export interface BodyTracker {
  received(bytes: number): void;
  readonly bytesReceived: number;
  /** Idempotent; the entry leaves the registry. `aborted`: its client interrupted it (body.aborted was logged). */
  end(aborted?: boolean): void;
}

/** Interrupted requests remembered for `until: 'aborted'` waits that start after the fact. */
export const RECENT_ABORTED = 1000;

interface Tracked {
  ctx: RequestContext;
  contentLength: number | null;
  bytesReceived: number;
  /** ms since epoch; formatted only when the entry is listed */
  startedAt: number;
  meter: RateMeter;
  plan: RequestPlan | undefined;
}

interface PendingWait {
  match: RuleMatch;
  until: 'received' | 'aborted';
  minBytes: number;
  count: number;
  /** requests that reached minBytes while in flight, as they were at that moment */
  qualified: Map<Tracked, InflightEntry>;
  settle(entries: InflightEntry[]): void;
}

function snapshot(t: Tracked): InflightEntry {
  const { ctx } = t;
  const e: InflightEntry = {
    id: ctx.id,
    requestId: ctx.requestId,
    operation: ctx.operation,
    bytesReceived: t.bytesReceived,
    contentLength: t.contentLength,
    startedAt: new Date(t.startedAt).toISOString(),
    rate: Math.round(t.meter.rate()),
  };
  if (ctx.bucket !== undefined) e.bucket = ctx.bucket;
  if (ctx.key !== undefined) e.key = ctx.key;
  if (ctx.uploadId !== undefined) e.uploadId = ctx.uploadId;
  if (ctx.partNumber !== undefined) e.partNumber = ctx.partNumber;
  const limit = t.plan?.ingestLimit();
  if (limit !== undefined) e.ingestLimit = limit;
  return e;
}

export class InflightRegistry {
  private readonly entries = new Set<Tracked>();
  private readonly waits = new Set<PendingWait>();
  /** the newest interrupted requests, oldest first, as they were when interrupted */
  private readonly aborted: Tracked[] = [];

  get size(): number {
    return this.entries.size;
  }

  /** Whether some wait is pending (a body that would satisfy it must then be received step by step). */
  get waiting(): boolean {
    return this.waits.size > 0;
  }

  track(ctx: RequestContext, contentLength: number | null, plan?: RequestPlan): BodyTracker {
    const t: Tracked = {
      ctx,
      contentLength,
      bytesReceived: 0,
      startedAt: Date.now(),
      meter: new RateMeter(),
      plan,
    };
    this.entries.add(t);
    this.evaluate(t);
    return {
      received: (bytes) => {
        t.bytesReceived += bytes;
        t.meter.add(bytes);
        this.evaluate(t);
      },
      get bytesReceived() {
        return t.bytesReceived;
      },
      end: (aborted = false) => {
        if (!this.entries.delete(t) || !aborted) return;
        this.interrupted(t);
      },
    };
  }

  /** A request its client interrupted before its body was read (during a delay): it never was in flight. */
  abortedBeforeBody(ctx: RequestContext, contentLength: number | null): void {
    this.interrupted({
      ctx,
      contentLength,
      bytesReceived: 0,
      startedAt: Date.now(),
      meter: new RateMeter(),
      plan: undefined,
    });
  }

  /** Forgets the interrupted requests (reset). */
  clear(): void {
    this.aborted.length = 0;
  }

  private interrupted(t: Tracked): void {
    // no rate applies to a request that ended; nor is its plan kept alive with the remembered entry
    t.plan = undefined;
    this.aborted.push(t);
    if (this.aborted.length > RECENT_ABORTED) this.aborted.shift();
    for (const w of [...this.waits]) if (w.until === 'aborted') this.check(w, t);
  }

  list(): InflightEntry[] {
    return [...this.entries].map(snapshot);
  }

  /**
   * Resolves once `count` distinct matching requests have each received >= minBytes while in flight (a request
   * that qualified and then ended still counts); with `until: 'aborted'`, once `count` distinct matching requests
   * with >= minBytes were interrupted by their client, counting the last RECENT_ABORTED interrupted before the wait
   * began. Rejects with WaitTimeoutError, or the signal's reason.
   */
  wait(o: WaitOptions): Promise<InflightEntry[]> {
    const { signal } = o;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const w: PendingWait = {
        match: o.match ?? {},
        until: o.until ?? 'received',
        minBytes: o.minBytes ?? 0,
        count: o.count ?? 1,
        qualified: new Map(),
        settle: (entries) => finish(() => resolve(entries)),
      };
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waits.delete(w);
        settle();
      };
      const onAbort = (): void => finish(() => reject(signal?.reason));
      const timer = setTimeout(
        () => finish(() => reject(new WaitTimeoutError(o.timeoutMs, w.count, [...w.qualified.values()]))),
        o.timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waits.add(w);
      for (const t of w.until === 'aborted' ? this.aborted : this.entries) this.check(w, t);
    });
  }

  private evaluate(t: Tracked): void {
    if (this.waits.size === 0) return;
    for (const w of [...this.waits]) if (w.until === 'received') this.check(w, t);
  }

  private check(w: PendingWait, t: Tracked): void {
    if (!this.waits.has(w) || w.qualified.has(t) || t.bytesReceived < w.minBytes || !ruleMatches(w.match, t.ctx))
      return;
    w.qualified.set(t, snapshot(t));
    if (w.qualified.size >= w.count) w.settle([...w.qualified.values()]);
  }
}
