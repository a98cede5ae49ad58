// Pull-based reading of a request stream without copies: the stream flows into a small queue of the chunks the
// http parser produced, the queue is paused (TCP backpressure: the parser stops the socket) once it holds what the
// caller last asked for, and next() hands out whole chunks -- or a view of the first one when it is bigger than
// asked -- never a concatenation. While the caller waits on the throttle or a stall, at most one request's worth
// plus one parser chunk is held here.

import type { Readable } from 'node:stream';

/** No byte arrived for the idle timeout. */
export class IdleTimeoutError extends Error {
  constructor(readonly idleMs: number) {
    super(`no body bytes for ${idleMs} ms`);
    this.name = 'IdleTimeoutError';
  }
}

/** The most bytes queued ahead of the caller (and handed out at once) when it asks for an unlimited amount. */
export const MAX_BATCH_BYTES = 1024 * 1024;

export class ChunkReader {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  /** pause the stream once this much is queued: what the caller last asked for */
  private highWater = 0;
  private started = false;
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: Error | undefined;

  private readonly onData = (chunk: Buffer): void => {
    if (chunk.length === 0) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (this.queued >= this.highWater) this.stream.pause();
    this.notify();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.notify();
  };
  private readonly onError = (err: Error): void => {
    this.failure = err;
    this.notify();
  };

  constructor(private readonly stream: Readable) {
    stream.on('end', this.onEnd);
    stream.on('error', this.onError);
  }

  /**
   * The next bytes, at most `max` of them (>= 1), as the chunks they arrived in; null at the clean end of the
   * stream. Nothing is read from the stream before the first call.
   */
  async next(max: number, signal: AbortSignal, idleMs: number): Promise<Buffer[] | null> {
    this.highWater = Math.max(1, Math.min(max, MAX_BATCH_BYTES));
    if (!this.started) {
      this.started = true;
      // 'data' alone would not restart a stream someone paused explicitly
      this.stream.on('data', this.onData);
      this.stream.resume();
    }
    for (;;) {
      if (this.failure) throw this.failure;
      signal.throwIfAborted();
      if (this.queued > 0) return this.take(this.highWater);
      if (this.ended) return null;
      this.stream.resume();
      await this.waitForData(signal, idleMs);
    }
  }

  /** Stops reading: the stream is left paused, with what it buffered. */
  detach(): void {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('error', this.onError);
    if (this.started && !this.ended) this.stream.pause();
    this.notify();
  }

  private take(max: number): Buffer[] {
    const out: Buffer[] = [];
    let taken = 0;
    while (this.queue.length > 0 && taken < max) {
      const first = this.queue[0]!;
      if (taken + first.length <= max) {
        out.push(first);
        taken += first.length;
        this.queue.shift();
      } else {
        const k = max - taken;
        out.push(first.subarray(0, k));
        this.queue[0] = first.subarray(k);
        taken += k;
      }
    }
    this.queued -= taken;
    if (this.queued < this.highWater && !this.ended) this.stream.resume();
    return out;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private waitForData(signal: AbortSignal, idleMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.wake = undefined;
        settle();
      };
      const onAbort = (): void => done(() => reject(signal.reason));
      const timer = setTimeout(() => done(() => reject(new IdleTimeoutError(idleMs))), idleMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = () => done(resolve);
    });
  }
}
