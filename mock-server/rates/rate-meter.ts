// Measured throughput over a sliding window, for the `rate` of GET /_mock/inflight and for the bench.

import { monotonicMs, type Clock } from './clock.js';

const WINDOW_MS = 1000;
/** one sample per step at most, so the window holds ~20 samples whatever the chunk rate */
const STEP_MS = 50;

export class RateMeter {
  private total = 0;
  /** (time, total bytes at that time), oldest first; samples[0] is the baseline of the window */
  private readonly samples: Array<{ t: number; total: number }>;

  constructor(private readonly now: Clock = monotonicMs) {
    this.samples = [{ t: now(), total: 0 }];
  }

  add(bytes: number): void {
    this.total += bytes;
    const t = this.now();
    if (t - this.samples[this.samples.length - 1]!.t >= STEP_MS) this.samples.push({ t, total: this.total });
    this.trim(t);
  }

  /** bytes/s over roughly the last second */
  rate(): number {
    const t = this.now();
    this.trim(t);
    const base = this.samples[0]!;
    const dt = t - base.t;
    return dt > 0 ? ((this.total - base.total) * 1000) / dt : 0;
  }

  private trim(t: number): void {
    while (this.samples.length > 1 && this.samples[1]!.t <= t - WINDOW_MS) this.samples.shift();
  }
}
