import { describe, expect, it } from 'vitest';
import { MockControl } from './control.js';
import { RuleValidationError, WaitTimeoutError } from './errors.js';
import { stubStore, testConfig, testContext, testControl } from './test-support/control-fixture.js';

describe('MockControl rules and plans', () => {
  it('assigns ids, validates, and lists copies', () => {
    const control = testControl();
    const a = control.addRule({ ingestRate: 1000 });
    const b = control.addRule({ id: 'mine', delayMs: 1 });
    expect([a.id, b.id]).toEqual(['r1', 'mine']);
    expect(() => control.addRule({ id: 'mine' })).toThrow(RuleValidationError);
    expect(() => control.addRule({ ingestRate: -1 })).toThrow(/ingestRate/);
    control.listRules()[0]!.match.bucket = 'mutated';
    expect(control.listRules()[0]!.match).toEqual({});
    expect(control.deleteRule('mine')).toBe(true);
    expect(control.deleteRule('mine')).toBe(false);
    expect(control.clearRules()).toBe(1);
  });

  it('consumes `times`, counts hits and logs rule.matched', () => {
    const control = testControl();
    control.addRule({ id: 'once', match: { operation: 'UploadPart' }, times: 1, fault: { type: 'reset' } });
    const part = testContext({ operation: 'UploadPart', partNumber: 1, uploadId: 'U' });
    expect(control.planFor(part).fault).toEqual({ type: 'reset', ruleId: 'once' });
    expect(control.planFor(testContext({ operation: 'UploadPart' })).fault).toBeUndefined();
    expect(control.planFor(testContext({ operation: 'PutObject' })).ruleIds).toEqual([]);
    expect(control.events().filter((e) => e.type.startsWith('rule.'))).toEqual([
      expect.objectContaining({ type: 'rule.matched', ruleId: 'once', requestId: part.requestId, partNumber: 1 }),
      expect.objectContaining({ type: 'rule.exhausted', ruleId: 'once', hits: 1, uploadId: 'U' }),
    ]);
  });

  it('a rule whose `times` is used up leaves the list, and later requests no longer scan it', () => {
    const control = testControl();
    control.addRule({ id: 'twice', match: { key: 'k' }, times: 2, delayMs: 5 });
    control.addRule({ id: 'always', match: { key: 'k' }, delayMs: 1 });
    expect(control.planFor(testContext({ key: 'k' })).ruleIds).toEqual(['twice', 'always']);
    expect(control.listRules().map((r) => [r.id, r.times, r.hits])).toEqual([
      ['twice', 1, 1],
      ['always', undefined, 1],
    ]);
    expect(control.planFor(testContext({ key: 'k' })).delayMs).toBe(5);
    expect(control.listRules().map((r) => r.id)).toEqual(['always']);
    expect(control.health().rules).toBe(1);
    expect(control.deleteRule('twice')).toBe(false);
    expect(control.planFor(testContext({ key: 'k' }))).toMatchObject({ ruleIds: ['always'], delayMs: 1 });
  });

  it('20,000 used-up rules leave nothing behind to match against', () => {
    const control = testControl();
    for (let i = 0; i < 20_000; i++)
      control.addRule({ match: { bucket: 'bucket' }, ingestRate: 1_000_000 + i, times: 1 });
    const first = control.planFor(testContext());
    expect(first.ruleIds).toHaveLength(20_000);
    expect(first.ingestRate()).toBe(1_000_000);
    expect(control.listRules()).toEqual([]);
    expect(control.health().rules).toBe(0);
    expect(control.events().filter((e) => e.type === 'rule.exhausted')).toHaveLength(20_000);
    const next = control.planFor(testContext());
    expect([next.ruleIds, next.ingestRate()]).toEqual([[], undefined]);
  });

  it('the first matching rule with a fault wins; the longest delay applies', () => {
    const control = testControl();
    control.addRule({ id: 'slow', delayMs: 50 });
    control.addRule({ id: 'a', match: { keyPrefix: 'k' }, fault: { type: 'error', status: 503 }, delayMs: 10 });
    control.addRule({ id: 'b', fault: { type: 'close' } });
    const plan = control.planFor(testContext());
    expect(plan.ruleIds).toEqual(['slow', 'a', 'b']);
    expect(plan.fault).toEqual({ type: 'error', status: 503, ruleId: 'a' });
    expect(plan.delayMs).toBe(50);
  });

  it('the slowest rate wins and is re-read live', () => {
    const control = new MockControl({ config: testConfig({ ingestRate: 5000 }), store: stubStore() });
    const plan = control.planFor(testContext({ trafficLimit: 102_400 }));
    expect(plan.ingestRate()).toBe(5000);
    expect(plan.egressRate()).toBe(102_400);
    // a rule added while the request is in flight applies to it; deleting it lifts it again
    const rule = control.addRule({ match: { bucket: 'bucket' }, ingestRate: 1000 });
    expect(plan.ingestRate()).toBe(1000);
    control.deleteRule(rule.id);
    expect(plan.ingestRate()).toBe(5000);
    control.setRates({ ingestRate: null });
    expect(plan.ingestRate()).toBe(102_400);
    control.setRates({ ingestRate: 700 });
    expect(plan.ingestRate()).toBe(700);
    expect(control.planFor(testContext()).egressRate()).toBeUndefined();
  });

  it("ingestLimit() names what sets the rate: a rule, the request's x-oss-traffic-limit or the default", () => {
    const control = new MockControl({ config: testConfig({ ingestRate: 5000 }), store: stubStore() });
    const plan = control.planFor(testContext({ trafficLimit: 102_400 }));
    expect(plan.ingestLimit()).toEqual({ rate: 5000, by: 'default' });
    control.addRule({ id: 'fast', ingestRate: 9000 });
    control.addRule({ id: 'slow', ingestRate: 800 });
    control.addRule({ id: 'same', ingestRate: 800 });
    expect(plan.ingestLimit()).toEqual({ rate: 800, by: 'rule', ruleId: 'slow' });
    expect(plan.ingestRate()).toBe(800);
    control.clearRules();
    control.setRates({ ingestRate: null });
    expect(plan.ingestLimit()).toEqual({ rate: 102_400, by: 'traffic-limit' });
    expect(control.planFor(testContext()).ingestLimit()).toBeUndefined();
  });

  it('replaceRule keeps the id, the place in the match order and the hits, and applies in flight', () => {
    const control = testControl();
    control.addRule({ id: 'first', match: { key: 'k' }, ingestRate: 1000 });
    control.addRule({ id: 'second', match: { key: 'k' }, fault: { type: 'close' } });
    const inflight = control.planFor(testContext({ key: 'k' }));
    expect(inflight.ingestRate()).toBe(1000);
    const replaced = control.replaceRule('first', {
      match: { key: 'k' },
      ingestRate: '2KiB/s',
      fault: { type: 'reset' },
    });
    expect(replaced).toEqual({ id: 'first', match: { key: 'k' }, ingestRate: 2048, fault: { type: 'reset' }, hits: 1 });
    expect(control.listRules().map((r) => r.id)).toEqual(['first', 'second']);
    // the old version no longer throttles the request that consumed it; the new one, without `times`, does
    expect(inflight.ingestLimit()).toEqual({ rate: 2048, by: 'rule', ruleId: 'first' });
    expect(control.planFor(testContext({ key: 'k' })).fault).toEqual({ type: 'reset', ruleId: 'first' });
    expect(control.replaceRule('nope', {})).toBeUndefined();
    expect(() => control.replaceRule('first', { id: 'other' })).toThrow(/id: must be first/);
    expect(() => control.replaceRule('first', { ingestRate: 0 })).toThrow(/ingestRate/);
    expect(control.listRules()[0]).toMatchObject({ id: 'first', ingestRate: 2048, hits: 2 });
  });

  it('a rule limited by `times` applies to the requests that consumed it, not to others', () => {
    const control = testControl();
    control.addRule({ ingestRate: 1000, times: 1 });
    const first = control.planFor(testContext());
    const second = control.planFor(testContext());
    expect([first.ingestRate(), second.ingestRate()]).toEqual([1000, undefined]);
    // used up and gone from the list, it still throttles the request that consumed it, until the rules are cleared
    expect(control.listRules()).toEqual([]);
    expect(first.ingestRate()).toBe(1000);
    control.clearRules();
    expect(first.ingestRate()).toBeUndefined();
  });

  it('reset clears the store, rules and events; seq keeps counting', async () => {
    const store = stubStore();
    const control = new MockControl({ config: testConfig(), store });
    control.addRule({});
    control.requestStarted(testContext());
    const seq = control.health().lastEventSeq;
    await control.reset();
    expect(store.resets).toBe(1);
    expect(control.listRules()).toEqual([]);
    expect(control.events()).toEqual([]);
    expect(control.addRule({}).id).toBe('r1');
    control.requestEnded(testContext(), 200);
    expect(control.events()[0]).toMatchObject({ seq: seq + 1, type: 'request.end', status: 200 });
  });

  it('logs request start and end with the request fields', () => {
    const control = testControl();
    const ctx = testContext({ operation: 'UploadPart', uploadId: 'U', partNumber: 2 });
    control.requestStarted(ctx);
    control.requestEnded(ctx, 404, 'NoSuchUpload');
    expect(control.events()).toEqual([
      expect.objectContaining({ type: 'request.start', requestId: ctx.requestId, bucket: 'bucket', key: 'key' }),
      expect.objectContaining({ type: 'request.end', status: 404, code: 'NoSuchUpload', uploadId: 'U' }),
    ]);
  });
});

describe('MockControl in-flight registry and waits', () => {
  it('lists bodies being received and forgets them at the end', () => {
    const control = testControl();
    const ctx = testContext({ key: 'a' });
    const tracker = control.trackBody(ctx, null);
    tracker.received(10);
    expect(control.inflight()).toEqual([
      expect.objectContaining({ id: ctx.id, key: 'a', bytesReceived: 10, contentLength: null }),
    ]);
    tracker.end();
    expect(control.inflight()).toEqual([]);
    expect(control.health().inflight).toBe(0);
  });

  it('resolves when `count` distinct matching requests reach minBytes, at that byte count', async () => {
    const control = testControl();
    const waiting = control.wait({ match: { keyPrefix: 'up/' }, minBytes: 100, count: 2, timeoutMs: 5000 });
    let resolved = false;
    void waiting.then(() => (resolved = true));
    const a = control.trackBody(testContext({ key: 'up/a' }), 1000);
    const other = control.trackBody(testContext({ key: 'other' }), 1000);
    const b = control.trackBody(testContext({ key: 'up/b' }), 1000);
    other.received(500);
    a.received(60);
    a.received(60);
    a.received(60);
    b.received(99);
    await Promise.resolve();
    expect(resolved).toBe(false);
    b.received(1);
    const entries = await waiting;
    expect(entries.map((e) => [e.key, e.bytesReceived])).toEqual([
      ['up/a', 120],
      ['up/b', 100],
    ]);
  });

  it('counts requests already past minBytes when the wait starts', async () => {
    const control = testControl();
    control.trackBody(testContext(), 10).received(10);
    await expect(control.wait({ minBytes: 10, timeoutMs: 1000 })).resolves.toHaveLength(1);
  });

  it('times out with WaitTimeoutError listing what it saw', async () => {
    const control = testControl();
    control.trackBody(testContext(), 10).received(5);
    const err = await control.wait({ minBytes: 5, count: 2, timeoutMs: 20 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err as WaitTimeoutError).matched).toHaveLength(1);
  });

  it('is cancelled by its signal', async () => {
    const control = testControl();
    const ac = new AbortController();
    const waiting = control.wait({ timeoutMs: 60_000, signal: ac.signal });
    ac.abort(new Error('caller left'));
    await expect(waiting).rejects.toThrow('caller left');
  });

  it("until 'aborted': resolves once matching requests were interrupted, counting those before the wait", async () => {
    const control = testControl();
    const early = control.trackBody(testContext({ key: 'a/1' }), 100);
    early.received(10);
    early.end(true);
    control.trackBody(testContext({ key: 'a/2' }), 100).end(); // ended cleanly: not an interruption
    const waiting = control.wait({ match: { keyPrefix: 'a/' }, until: 'aborted', count: 3, timeoutMs: 5000 });
    let resolved = false;
    void waiting.then(() => (resolved = true));
    const late = control.trackBody(testContext({ key: 'a/3' }), 100);
    late.received(99);
    control.trackBody(testContext({ key: 'b/1' }), 100).end(true);
    late.end(true);
    await Promise.resolve();
    expect(resolved).toBe(false);
    control.bodyAborted(testContext({ key: 'a/4' }), 5);
    expect((await waiting).map((e) => [e.key, e.bytesReceived, e.contentLength])).toEqual([
      ['a/1', 10, 100],
      ['a/3', 99, 100],
      ['a/4', 0, 5],
    ]);
    expect(
      control
        .events()
        .filter((e) => e.type === 'body.aborted')
        .map((e) => e.key),
    ).toEqual(['a/4']);
    await control.reset();
    await expect(control.wait({ until: 'aborted', timeoutMs: 20 })).rejects.toBeInstanceOf(WaitTimeoutError);
    expect(() => control.wait({ until: 'done' as 'aborted', timeoutMs: 20 })).toThrow(/until/);
  });

  it('validates its options like the HTTP API', () => {
    const control = testControl();
    expect(() => control.wait({ timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});
