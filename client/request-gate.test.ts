import { describe, expect, it } from 'vitest';
import { DISABLED, RequestGate } from './request-gate.js';

describe('RequestGate', () => {
  it('aborts every registered attempt on disable, and refuses new ones until enabled', () => {
    const gate = new RequestGate();
    const a = gate.begin();
    const b = gate.begin();
    gate.end(b);
    gate.disable();
    expect(a.signal.aborted).toBe(true);
    expect(a.signal.reason).toBe(DISABLED);
    expect(b.signal.aborted).toBe(false);
    expect(() => gate.begin()).toThrow(expect.objectContaining({ code: 'ClientError:100002' }));
    gate.enable();
    expect(gate.begin().signal.aborted).toBe(false);
  });

  it('wakes a back-off at once on disable', async () => {
    const gate = new RequestGate();
    let woke = false;
    const sleeping = gate.sleep(600_000).then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    gate.disable();
    await sleeping;
    expect(woke).toBe(true);
    await gate.sleep(600_000); // already disabled: returns at once
  });
});
