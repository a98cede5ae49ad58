import { describe, expect, it } from 'vitest';
import { testConfig, testContext, testControl } from '../control/test-support/control-fixture.js';
import type { MockControl } from '../control/control.js';
import { CONSOLE_EVENTS, ConsoleHub } from './hub.js';
import type { ConsoleMessage } from './wire.js';

function hubOn(control: MockControl): ConsoleHub {
  return new ConsoleHub(control, testConfig(), { autoTick: false });
}

function collect(hub: ConsoleHub): { messages: ConsoleMessage[]; stop: () => void } {
  const messages: ConsoleMessage[] = [];
  const stop = hub.subscribe((m) => messages.push(m));
  return { messages, stop };
}

function ofType<T extends ConsoleMessage['type']>(messages: ConsoleMessage[], type: T) {
  return messages.filter((m): m is Extract<ConsoleMessage, { type: T }> => m.type === type);
}

describe('ConsoleHub', () => {
  it('runs only while a console is connected: no timer and no state before the first or after the last', () => {
    const hub = new ConsoleHub(testControl(), testConfig(), { tickMs: 60_000 });
    expect(hub.running).toBe(false);
    const a = collect(hub);
    const b = collect(hub);
    expect([hub.running, hub.consoles]).toEqual([true, 2]);
    a.stop();
    a.stop(); // idempotent
    expect(hub.running).toBe(true);
    b.stop();
    expect([hub.running, hub.consoles]).toEqual([false, 0]);
  });

  it('starts with a snapshot of the in-flight bodies, rules, rates and the newest events', () => {
    const control = testControl();
    control.addRule({ id: 'slow', match: { key: 'up' }, ingestRate: 1000 });
    const ctx = testContext({ key: 'up' });
    control.requestStarted(ctx);
    control.trackBody(ctx, 500, control.planFor(ctx)).received(10);
    const { messages } = collect(hubOn(control));
    expect(messages).toHaveLength(1);
    const [snapshot] = ofType(messages, 'snapshot');
    expect(snapshot!.inflight).toEqual([
      expect.objectContaining({
        key: 'up',
        bytesReceived: 10,
        contentLength: 500,
        ingestLimit: { rate: 1000, by: 'rule', ruleId: 'slow' },
      }),
    ]);
    expect(snapshot!.rules.map((r) => r.id)).toEqual(['slow']);
    expect(snapshot!.rates).toEqual({ ingestRate: null, egressRate: null });
    expect(snapshot!.events.map((e) => e.type)).toEqual(['request.start', 'rule.matched']);
    expect(snapshot!.info).toMatchObject({ storage: 'memory', tokenRequired: false, operations: expect.any(Array) });
  });

  it('coalesces: a thousand byte counts between two ticks are one update; a tick with no change sends nothing', () => {
    const control = testControl();
    const hub = hubOn(control);
    const { messages } = collect(hub);
    const tracker = control.trackBody(testContext({ key: 'many' }), 1_000_000);
    for (let i = 0; i < 1000; i++) tracker.received(1000);
    hub.tick();
    const updates = ofType(messages, 'inflight');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.inflight).toEqual([expect.objectContaining({ key: 'many', bytesReceived: 1_000_000 })]);
    tracker.end();
    messages.length = 0;
    hub.tick();
    expect(ofType(messages, 'inflight').map((m) => m.inflight)).toEqual([[]]);
    messages.length = 0;
    hub.tick();
    expect(messages).toEqual([]);
  });

  it('streams new events, the uploads that ended, and rule and rate changes', () => {
    const control = testControl();
    const hub = hubOn(control);
    const { messages } = collect(hub);
    const ctx = testContext({ key: 'cut', operation: 'PutObject' });
    control.requestStarted(ctx);
    const tracker = control.trackBody(ctx, 100, control.planFor(ctx));
    tracker.received(40);
    hub.tick();
    control.emit({ type: 'body.aborted', requestId: ctx.requestId, bucket: 'bucket', key: 'cut', bytesReceived: 40 });
    tracker.end();
    control.requestEnded(ctx, 0);
    control.addRule({ id: 'new' });
    control.setRates({ egressRate: 5000 });
    hub.tick();
    const finished = ofType(messages, 'finished').flatMap((m) => m.uploads);
    expect(finished).toEqual([
      expect.objectContaining({
        requestId: ctx.requestId,
        key: 'cut',
        contentLength: 100,
        bytesReceived: 40,
        status: 0,
        outcome: { kind: 'aborted', bytesReceived: 40 },
      }),
    ]);
    expect(ofType(messages, 'events').flatMap((m) => m.events.map((e) => e.type))).toEqual([
      'request.start',
      'body.aborted',
      'request.end',
    ]);
    expect(
      ofType(messages, 'rules')
        .at(-1)!
        .rules.map((r) => r.id),
    ).toEqual(['new']);
    expect(ofType(messages, 'rates').at(-1)!.rates).toEqual({ ingestRate: null, egressRate: 5000 });
  });

  it('a console that connects later finds the finished uploads in its snapshot, rebuilt from the event log', () => {
    const control = testControl();
    const ctx = testContext({ key: 'done', operation: 'UploadPart', uploadId: 'U1', partNumber: 3 });
    control.requestStarted(ctx);
    control.emit({ type: 'part.stored', requestId: ctx.requestId, size: 5, etag: 'E' });
    control.requestEnded(ctx, 200);
    const [snapshot] = ofType(collect(hubOn(control)).messages, 'snapshot');
    expect(snapshot!.recent).toEqual([
      expect.objectContaining({
        key: 'done',
        uploadId: 'U1',
        partNumber: 3,
        outcome: { kind: 'committed', size: 5, etag: 'E' },
      }),
    ]);
  });

  it('after a reset: tells the consoles, forgets the finished uploads', async () => {
    const control = testControl();
    const hub = hubOn(control);
    const { messages } = collect(hub);
    const ctx = testContext();
    control.requestStarted(ctx);
    control.requestEnded(ctx, 400, 'InvalidDigest');
    hub.tick();
    expect(ofType(messages, 'finished')[0]!.uploads[0]!.outcome).toEqual({
      kind: 'error',
      status: 400,
      code: 'InvalidDigest',
    });
    await control.reset();
    messages.length = 0;
    hub.tick();
    expect(messages.map((m) => m.type)).toContain('reset');
    expect(ofType(collect(hub).messages, 'snapshot')[0]!.recent).toEqual([]);
  });

  it(`streams at most ${CONSOLE_EVENTS} events a tick and says how many it left out`, () => {
    const control = testControl();
    const hub = hubOn(control);
    const { messages } = collect(hub);
    for (let i = 0; i < CONSOLE_EVENTS + 5; i++) control.requestStarted(testContext());
    hub.tick();
    const [events] = ofType(messages, 'events');
    expect([events!.events.length, events!.skipped]).toEqual([CONSOLE_EVENTS, 5]);
    expect(events!.events.at(-1)!.seq).toBe(control.health().lastEventSeq);
  });
});
