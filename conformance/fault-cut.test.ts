// The scenarios that cut a body (MPU-001, ATOM-001, ATOM-002) with a mock `reset` fault, for a driver that can neither
// disable nor interrupt: an SDK that retries a reset connection would send the body again and succeed, so the cut
// goes through a client opened with `retries: 0`. Here the builtin client (3 retries by default, which re-send a
// buffer body after a reset) stands in for such an SDK, with its 'disable' capability hidden.
import { describe, expect, it } from 'vitest';
import { builtinDriver } from './drivers/builtin.js';
import type { DriverFactory } from './drivers/driver.js';
import { runConformance } from './runner.js';

const retryingWithoutDisable: DriverFactory = {
  name: 'builtin-no-disable',
  load: async () => {
    const d = await builtinDriver.load();
    return {
      ...d,
      name: 'builtin-no-disable',
      capabilities: new Set([...d.capabilities].filter((c) => c !== 'disable')),
    };
  },
};

describe('scenarios that cut a body with a fault', () => {
  it('cut it through a client without retries, so a retrying SDK is tested on the cut', async () => {
    const summary = await runConformance({
      drivers: [retryingWithoutDisable],
      filter: ['MPU-001', 'ATOM-001', 'ATOM-002'],
    });
    expect(summary.results.map((r) => [r.scenario, r.status, r.reason ?? ''])).toEqual([
      ['MPU-001', 'pass', ''],
      ['ATOM-001', 'pass', ''],
      ['ATOM-002', 'pass', ''],
    ]);
    for (const r of summary.results) expect(r.notes.join('\n')).toMatch(/cut by a mock 'reset' fault/);
  }, 60_000);
});
