// Pull-based reading of a request stream: take at most `max` bytes at a time and nothing more until asked, so the
// http parser stops the socket (TCP backpressure) while the caller waits on the throttle or a stall.

import type { Readable } from 'node:stream';

/** No byte arrived for the idle timeout. */
export class IdleTimeoutError extends Error {
  constructor(readonly idleMs: number) {
    super(`no body bytes for ${idleMs} ms`);
    this.name = 'IdleTimeoutError';
  }
}

export class ChunkReader {
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: Error | undefined;

  private readonly onReadable = (): void => this.notify();
  private readonly onEnd = (): void => {
    this.ended = true;
    this.notify();
  };
  private readonly onError = (err: Error): void => {
    this.failure = err;
    this.notify();
  };

  constructor(private readonly stream: Readable) {
    stream.on('readable', this.onReadable);
    stream.on('end', this.onEnd);
    stream.on('error', this.onError);
  }

  /** The next bytes (at most `max`), or null at the clean end of the stream. */
  async next(max: number, signal: AbortSignal, idleMs: number): Promise<Buffer | null> {
    for (;;) {
      if (this.failure) throw this.failure;
      signal.throwIfAborted();
      const s = this.stream;
      // read(n) above the high-water mark would raise it, so big pieces take what is buffered instead
      const chunk = (
        s.readableLength > max ? s.read(Math.min(max, s.readableHighWaterMark)) : s.read()
      ) as Buffer | null;
      if (chunk !== null) return chunk;
      if (this.ended) return null;
      await this.waitForData(signal, idleMs);
    }
  }

  detach(): void {
    this.stream.off('readable', this.onReadable);
    this.stream.off('end', this.onEnd);
    this.stream.off('error', this.onError);
    this.notify();
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
