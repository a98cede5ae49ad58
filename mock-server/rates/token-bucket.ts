// A token bucket with a debt model: consume(n) takes n tokens (the balance may go negative), then waits until the
// balance is back to zero. The caller stops reading the socket meanwhile, so TCP backpressure slows the sender
// (docs/architecture.md#the-body-pipeline). The rate is read through a getter on every refill, so a rule added, removed
// or changed at run time applies to requests already in flight.
//
// Accuracy: the balance starts at 0 and can only bank BURST_SECONDS of rate while the reader waits for the
// sender, so over T seconds at most rate*T + one piece + one burst pass; pieces are PIECE_SECONDS of rate, so
// bytesReceived advances smoothly and the socket is polled often (a client's RST is seen at the next read).

import { monotonicMs, sleep, type Clock } from './clock.js';
import { RateMeter } from './rate-meter.js';

/** Live rate in bytes/s; undefined means unlimited. */
export type RateGetter = () => number | undefined;

const BURST_SECONDS = 0.1;
const PIECE_SECONDS = 0.02;
const MIN_PIECE = 1024;
/** a wait is split into naps this long at most, so a raised rate takes effect promptly */
const MAX_NAP_MS = 100;

export class TokenBucket {
  private balance = 0;
  private last: number;
  readonly meter: RateMeter;

  constructor(
    private readonly rate: RateGetter,
    private readonly now: Clock = monotonicMs,
  ) {
    this.last = now();
    this.meter = new RateMeter(now);
  }

  /** The most bytes worth taking in one go at the current rate (Infinity when unlimited). */
  pieceSize(): number {
    const r = this.rate();
    return r === undefined ? Number.POSITIVE_INFINITY : Math.max(MIN_PIECE, Math.floor(r * PIECE_SECONDS));
  }

  /** Takes n tokens and returns how many ms to wait before the next take (0: none). */
  take(n: number): number {
    this.meter.add(n);
    this.refill();
    this.balance -= n;
    return this.debtMs();
  }

  /** take(n), then wait until the debt is paid. */
  async consume(n: number, signal?: AbortSignal): Promise<void> {
    if (this.take(n) > 0) await this.repay(signal);
  }

  /** Waits (in bounded naps, re-reading the rate) until the debt is paid; at once when there is none. */
  async repay(signal?: AbortSignal): Promise<void> {
    for (let wait = this.debtMs(); wait > 0; wait = this.debtMs()) {
      await sleep(Math.min(wait, MAX_NAP_MS), signal);
    }
  }

  /** bytes/s actually let through over the last second */
  measuredRate(): number {
    return this.meter.rate();
  }

  /** ms until the balance is non-negative at the current rate */
  debtMs(): number {
    const r = this.refill();
    if (r === undefined || this.balance >= 0) return 0;
    return Math.ceil((-this.balance * 1000) / r);
  }

  private refill(): number | undefined {
    const t = this.now();
    const r = this.rate();
    if (r === undefined) {
      this.balance = 0; // unlimited: forget debt, bank nothing for a later limit
    } else {
      const burst = Math.max(MIN_PIECE, r * BURST_SECONDS);
      this.balance = Math.min(this.balance + ((t - this.last) * r) / 1000, burst);
    }
    this.last = t;
    return r;
  }
}
