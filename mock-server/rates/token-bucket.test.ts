import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateMeter } from './rate-meter.js';
import { TokenBucket } from './token-bucket.js';

// A fake clock driven together with vitest's fake timers: Date.now() is faked, performance.now() is not used.
const clock = (): number => Date.now();

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

/** Feeds `total` bytes through the bucket in `piece`-sized takes, as the body reader does; returns the elapsed fake ms. */
async function pump(bucket: TokenBucket, total: number, piece: number): Promise<number> {
  const start = Date.now();
  for (let sent = 0; sent < total; sent += piece) {
    const done = bucket.consume(piece);
    await vi.runAllTimersAsync();
    await done;
  }
  return Date.now() - start;
}

describe('TokenBucket', () => {
  it('lets the first piece through at once, then charges the debt', () => {
    const bucket = new TokenBucket(() => 1000, clock);
    expect(bucket.take(500)).toBe(500);
    vi.advanceTimersByTime(200);
    expect(bucket.debtMs()).toBe(300);
    vi.advanceTimersByTime(300);
    expect(bucket.debtMs()).toBe(0);
  });

  it.each([256 * 1024, 4 * 1024 * 1024, 64 * 1024 * 1024])('holds %i B/s over 2 s within 5%%', async (rate) => {
    const bucket = new TokenBucket(() => rate, clock);
    const piece = bucket.pieceSize();
    const total = 2 * rate;
    const elapsed = await pump(bucket, total, piece);
    // bytes accepted in `elapsed` ms, the last piece included
    expect(Math.abs((total * 1000) / elapsed / rate - 1)).toBeLessThan(0.05);
  });

  it('banks at most a small burst while the sender is idle', () => {
    const bucket = new TokenBucket(() => 100_000, clock);
    vi.advanceTimersByTime(60_000);
    // an idle minute is worth 0.1 s of rate, not 60 s
    expect(bucket.take(10_000)).toBe(0);
    expect(bucket.take(10_000)).toBe(100);
  });

  it('re-reads the rate: a raised rate shortens a wait already in progress', async () => {
    let rate: number | undefined = 1000;
    const bucket = new TokenBucket(() => rate, clock);
    const done = bucket.consume(10_000); // 10 s of debt at 1000 B/s
    await vi.advanceTimersByTimeAsync(1000);
    rate = undefined;
    await vi.advanceTimersByTimeAsync(100);
    await done;
    expect(Date.now()).toBeLessThanOrEqual(1100);
  });

  it('a lowered rate lengthens the wait', async () => {
    let rate = 10_000;
    const bucket = new TokenBucket(() => rate, clock);
    let finished = false;
    const done = bucket.consume(10_000).then(() => (finished = true));
    rate = 1000;
    await vi.advanceTimersByTimeAsync(2000);
    expect(finished).toBe(false);
    await vi.runAllTimersAsync();
    await done;
    expect(Date.now()).toBeGreaterThanOrEqual(9000);
  });

  it('is a no-op when unlimited', async () => {
    const bucket = new TokenBucket(() => undefined, clock);
    expect(bucket.pieceSize()).toBe(Number.POSITIVE_INFINITY);
    expect(bucket.take(1e9)).toBe(0);
    await bucket.consume(1e9);
    expect(Date.now()).toBe(0);
  });

  it('pieces are ~20 ms of rate, at least 1 KiB', () => {
    expect(new TokenBucket(() => 1_000_000, clock).pieceSize()).toBe(20_000);
    expect(new TokenBucket(() => 100, clock).pieceSize()).toBe(1024);
  });

  it('a wait is cancelled by its signal, timer cleared', async () => {
    const bucket = new TokenBucket(() => 1000, clock);
    const ac = new AbortController();
    const done = bucket.consume(100_000, ac.signal);
    ac.abort(new Error('gone'));
    await expect(done).rejects.toThrow('gone');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('RateMeter', () => {
  it('measures bytes/s over the last second', () => {
    const meter = new RateMeter(clock);
    for (let i = 0; i < 40; i++) {
      vi.advanceTimersByTime(50);
      meter.add(5000); // 100 kB/s for 2 s
    }
    expect(meter.rate()).toBeCloseTo(100_000, -3);
    vi.advanceTimersByTime(5000);
    expect(meter.rate()).toBe(0);
  });
});
