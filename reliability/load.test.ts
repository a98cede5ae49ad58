// Load: a short run of the soak's mixed workload at 64 connections: zero unexpected answers. The figures that matter
// (RSS growth, requests served over minutes) come from `npm run soak`.
import { describe, expect, it } from 'vitest';
import { startMockOss } from '../mock-server/index.js';
import { runLoad } from './load.js';
import { seedFrom } from './prng.js';
import { send } from '../testkit/requests.js';

describe('mixed load at 64 connections', () => {
  it('every answer is the expected one', async () => {
    const mock = await startMockOss();
    try {
      expect((await send(mock, { method: 'PUT', bucket: 'load-bucket' })).status).toBe(200);
      const figures = await runLoad(mock, {
        seed: seedFrom(process.env, 8501),
        connections: 64,
        // bounded by count, not time: a loaded machine makes the run slower, never different
        durationMs: 30_000,
        maxRequests: 1000,
        bucket: 'load-bucket',
        keysPerClient: 8,
        maxBodyBytes: 16 * 1024,
      });
      expect(figures.samples).toEqual([]);
      expect(figures.unexpected).toBe(0);
      expect(figures.requests).toBeGreaterThanOrEqual(1000);
      expect(Object.keys(figures.byOperation).length).toBeGreaterThanOrEqual(10);
      expect(mock.control.inflight()).toEqual([]);
    } finally {
      await mock.close();
    }
  });
});
