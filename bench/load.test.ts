import { describe, expect, it } from 'vitest';
import { closedLoop } from './load.js';

describe('closedLoop', () => {
  it('runs `concurrency` operations at once and counts completed ones and failures apart', async () => {
    let running = 0;
    let peak = 0;
    const result = await closedLoop({
      concurrency: 4,
      windowMs: 50,
      op: async (seq) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 1));
        running--;
        if (seq % 10 === 9) throw new Error(`op ${seq} failed`);
      },
    });
    expect(peak).toBe(4);
    expect(result.ops).toBeGreaterThan(0);
    expect(result.latenciesMs).toHaveLength(result.ops);
    expect(result.errors).toBeGreaterThan(0);
    expect(result.firstError).toBe('op 9 failed');
    expect(result.opsPerSecond).toBeGreaterThan(0);
  });
});
