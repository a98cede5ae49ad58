// Faults as rules declare them (as storage-testbench queues them): `reset` sends a TCP RST, `close` ends the
// connection with a FIN and no response (the client sees "socket hang up"), `stall` stops reading for a while,
// `error` answers with an OSS error. Without afterBytes they fire before the body (beforeBody); with it, body-reader.ts
// fires them once exactly afterBytes body bytes were accepted.

import { OssError } from '../../protocol/errors.js';
import type { Exchange, FaultSpec } from '../exchange/exchange.js';
import { eventSubject } from '../control/events.js';
import { sleep } from '../rates/clock.js';
import { closeAfterResponse, watchRequest } from '../exchange/disconnect.js';
import type { IngestHooks } from './hooks.js';
import { BodyAbortedError, FaultFiredError } from './errors.js';
import { promisedLength } from './length.js';

export type PlannedFault = FaultSpec & { ruleId: string };

/** How long a closed-by-fault socket waits for the client's own close before it is destroyed. */
const HANG_UP_GRACE_MS = 1000;

type FaultAction = (ex: Exchange, fault: PlannedFault, atBytes: number, signal: AbortSignal) => Promise<void>;

const ACTIONS: Record<FaultSpec['type'], FaultAction> = {
  reset: async (ex, fault, atBytes) => {
    ex.req.socket.resetAndDestroy();
    throw new FaultFiredError(fault.ruleId, 'reset', atBytes);
  },
  close: async (ex, fault, atBytes) => {
    // end(), not destroy(): with unread bytes in the receive queue the kernel would turn a close into an RST
    const socket = ex.req.socket;
    socket.end();
    const timer = setTimeout(() => socket.destroy(), HANG_UP_GRACE_MS);
    socket.once('close', () => clearTimeout(timer));
    throw new FaultFiredError(fault.ruleId, 'close', atBytes);
  },
  stall: (_ex, fault, _atBytes, signal) => sleep(fault.stallMs ?? 0, signal),
  error: async (ex, fault) => {
    closeAfterResponse(ex.res);
    throw new OssError(fault.code ?? 'InternalError', { status: fault.status });
  },
};

/** Logs `fault.fired` and carries the fault out; stall resolves after stallMs, the others throw. */
export function fireFault(
  ex: Exchange,
  control: IngestHooks,
  fault: PlannedFault,
  atBytes: number,
  signal: AbortSignal,
): Promise<void> {
  control.emit({ type: 'fault.fired', ...eventSubject(ex.ctx), ruleId: fault.ruleId, fault: fault.type, atBytes });
  return ACTIONS[fault.type](ex, fault, atBytes, signal);
}

/**
 * Applies the plan's delay, then a fault planned without afterBytes. Called by http/ after dispatch, before any
 * handler. Throws OssError (answer it), FaultFiredError or BodyAbortedError (do not answer).
 */
export async function beforeBody(ex: Exchange, control: IngestHooks): Promise<void> {
  const { plan } = ex;
  const fault = plan.fault?.afterBytes === undefined ? plan.fault : undefined;
  if (plan.delayMs <= 0 && fault === undefined) return;
  // nothing of the body is delivered before the handler reads it, so any close meanwhile interrupts the request
  const watch = watchRequest(ex.req);
  try {
    if (plan.delayMs > 0) await watch.whilePaused(() => sleep(plan.delayMs, watch.signal));
    if (fault !== undefined) await watch.whilePaused(() => fireFault(ex, control, fault, 0, watch.signal));
  } catch (err) {
    if (!watch.signal.aborted || err instanceof OssError || err instanceof FaultFiredError) throw err;
    control.bodyAborted(ex.ctx, promisedLength(ex.req));
    throw new BodyAbortedError(0);
  } finally {
    watch.dispose();
  }
}
