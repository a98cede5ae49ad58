import { describe, expect, it } from 'vitest';
import { testContext, testControl } from '../control/test-support/control-fixture.js';
import { eventSubject } from '../control/events.js';
import type { MockEventInput } from '../control/types.js';
import { UploadOutcomes } from './outcomes.js';

/** The events one request leaves in a real control's log, in order. */
function logOf(
  operation: 'PutObject' | 'AppendObject' | 'UploadPart' | 'GetObject',
  steps: Array<Record<string, unknown>>,
  status: number,
  code?: string,
) {
  const control = testControl();
  const ctx = testContext({ operation });
  control.requestStarted(ctx);
  for (const s of steps) control.emit({ ...eventSubject(ctx), ...s } as MockEventInput);
  control.requestEnded(ctx, status, code);
  return control.events();
}

function outcomeOf(...args: Parameters<typeof logOf>) {
  const outcomes = new UploadOutcomes();
  outcomes.add(logOf(...args));
  return outcomes.takeFinished().map((u) => [u.outcome, u.bytesReceived]);
}

describe('UploadOutcomes', () => {
  it('committed, aborted by the client, cut by a fault, answered with an error', () => {
    expect(outcomeOf('PutObject', [{ type: 'object.committed', size: 9, etag: 'E' }], 200)).toEqual([
      [{ kind: 'committed', size: 9, etag: 'E' }, 9],
    ]);
    expect(outcomeOf('UploadPart', [{ type: 'body.aborted', bytesReceived: 7 }], 0)).toEqual([
      [{ kind: 'aborted', bytesReceived: 7 }, 7],
    ]);
    expect(outcomeOf('PutObject', [{ type: 'fault.fired', ruleId: 'r1', fault: 'reset', atBytes: 64 }], 0)).toEqual([
      [{ kind: 'fault', fault: 'reset', ruleId: 'r1', atBytes: 64 }, 64],
    ]);
    expect(
      outcomeOf(
        'PutObject',
        [{ type: 'fault.fired', ruleId: 'r2', fault: 'error', atBytes: 3 }],
        503,
        'ServiceUnavailable',
      ),
    ).toEqual([[{ kind: 'fault', fault: 'error', ruleId: 'r2', atBytes: 3 }, 3]]);
    expect(outcomeOf('PutObject', [], 400, 'InvalidDigest')).toEqual([
      [{ kind: 'error', status: 400, code: 'InvalidDigest' }, null],
    ]);
  });

  it('a stall only pauses an upload; an append commits the whole object, not its body', () => {
    expect(
      outcomeOf(
        'PutObject',
        [
          { type: 'fault.fired', ruleId: 'r1', fault: 'stall', atBytes: 5 },
          { type: 'object.committed', size: 10, etag: 'E' },
        ],
        200,
      ),
    ).toEqual([[{ kind: 'committed', size: 10, etag: 'E' }, 10]]);
    expect(outcomeOf('AppendObject', [{ type: 'object.committed', size: 100, etag: 'E' }], 200)).toEqual([
      [{ kind: 'committed', size: 100, etag: 'E' }, null],
    ]);
  });

  it('only uploads: a download or a listing is not one, nor a request whose start it never saw', () => {
    expect(outcomeOf('GetObject', [], 200)).toEqual([]);
    const outcomes = new UploadOutcomes();
    outcomes.add(logOf('PutObject', [], 200).slice(1));
    expect(outcomes.takeFinished()).toEqual([]);
  });
});
