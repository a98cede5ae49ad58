// Time for throttling: monotonic milliseconds (wall-clock jumps must not grant or withhold tokens), injectable so
// the token bucket can be tested with a fake clock.

export type Clock = () => number;

export const monotonicMs: Clock = () => performance.now();

/** Resolves after `ms`; rejects with the signal's reason as soon as it aborts (and clears the timer). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
