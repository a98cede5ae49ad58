import { describe, expect, it } from 'vitest';
import { EventLog } from './events.js';

describe('EventLog', () => {
  it('numbers events from 1 and returns those after a cursor', () => {
    const log = new EventLog();
    log.append({ type: 'request.start', requestId: 'A' });
    log.append({ type: 'request.end', requestId: 'A', status: 200 });
    log.append({ type: 'upload.initiated' });
    expect(log.since(1).map((e) => [e.seq, e.type])).toEqual([
      [2, 'request.end'],
      [3, 'upload.initiated'],
    ]);
    expect(log.since(0, 1)).toHaveLength(1);
    expect(log.since(3)).toEqual([]);
    expect(log.since()[1]).toMatchObject({ seq: 2, requestId: 'A', status: 200 });
    expect(log.since()[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('keeps only the newest events while seq keeps counting', () => {
    const log = new EventLog(3);
    for (let i = 0; i < 10; i++) log.append({ type: 'rule.matched', ruleId: `r${i}` });
    expect(log.since().map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(log.since(8).map((e) => e.seq)).toEqual([9, 10]);
  });

  it('clear drops events but not the seq', () => {
    const log = new EventLog();
    log.append({ type: 'upload.aborted' });
    log.clear();
    expect(log.since()).toEqual([]);
    expect(log.append({ type: 'upload.aborted' })).toBe(2);
    expect(log.since().map((e) => e.seq)).toEqual([2]);
  });
});
