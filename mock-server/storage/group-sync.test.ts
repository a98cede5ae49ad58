import { describe, expect, it } from 'vitest';
import { GroupSync } from './group-sync.js';

/** A sync the test completes by hand, counting how many were started. */
function manualSync() {
  const pending: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  let started = 0;
  const sync = () =>
    new Promise<void>((resolve, reject) => {
      started++;
      pending.push({ resolve, reject });
    });
  return { sync, pending, started: () => started };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupSync', () => {
  it('writes that land while a sync runs share the next one; each waits for a sync begun after it', async () => {
    const m = manualSync();
    const g = new GroupSync(m.sync);
    const first = g.flush();
    await tick();
    expect(m.started()).toBe(1);
    // three more writes finish while the first sync runs: the running sync may have missed them
    const later = [g.flush(), g.flush(), g.flush()];
    let laterDone = false;
    void Promise.all(later).then(() => (laterDone = true));
    m.pending.shift()!.resolve();
    await first;
    await tick();
    expect(laterDone).toBe(false);
    expect(m.started()).toBe(2);
    m.pending.shift()!.resolve();
    await Promise.all(later);
    expect(m.started()).toBe(2);
  });

  it('a failed sync fails every waiter and every later flush', async () => {
    const m = manualSync();
    const g = new GroupSync(m.sync);
    const a = g.flush();
    await tick();
    const b = g.flush();
    const c = g.flush();
    const boom = new Error('EIO');
    m.pending.shift()!.reject(boom);
    await expect(a).rejects.toBe(boom);
    await expect(b).rejects.toBe(boom);
    await expect(c).rejects.toBe(boom);
    await expect(g.flush()).rejects.toBe(boom);
    expect(g.failed).toBe(boom);
    expect(m.started()).toBe(1);
  });
});
