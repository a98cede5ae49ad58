// Noticing that a client went away mid-request. Node reports it through several events depending on timing
// ('aborted' and 'close' on the request, 'close' on the socket); any of them before the body is complete counts.
// A body that was complete before the socket closed is not "gone": it ended cleanly and may be committed.
//
// While a body is throttled or stalled the socket is not being read, and a socket nobody reads never reports a
// reset. So the watch probes it with zero-length writes: nothing goes on the wire, but a write on a socket that
// received an RST fails at once, which closes it. A client's FIN cannot be seen this way: it waits behind the
// bytes its kernel still holds for us, and is noticed only after they were read (at the throttled rate).

import type { IncomingMessage, ServerResponse } from 'node:http';

export class ClientGoneError extends Error {
  constructor() {
    super('client disconnected');
    this.name = 'ClientGoneError';
  }
}

/** How often a paused request socket is probed for a reset (the target is <= 50 ms to notice a gone client). */
const PROBE_INTERVAL_MS = 20;
const NOTHING = Buffer.alloc(0);

export interface DisconnectWatch {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** Aborts `signal` as soon as the client disconnects before its request body is complete. */
export function watchRequest(req: IncomingMessage): DisconnectWatch {
  const ac = new AbortController();
  const check = (): void => {
    if (!req.complete) ac.abort(new ClientGoneError());
  };
  const socket = req.socket;
  req.on('aborted', check);
  req.on('close', check);
  socket.on('close', check);
  if (req.destroyed || socket.destroyed) check();
  const probe = setInterval(() => {
    if (socket.writable && socket.writableLength === 0) socket.write(NOTHING);
  }, PROBE_INTERVAL_MS);
  probe.unref();
  return {
    signal: ac.signal,
    dispose: () => {
      clearInterval(probe);
      req.off('aborted', check);
      req.off('close', check);
      socket.off('close', check);
    },
  };
}

/** Aborts `signal` as soon as the response can no longer be delivered. */
export function watchResponse(res: ServerResponse): DisconnectWatch {
  const ac = new AbortController();
  const check = (): void => {
    if (!res.writableFinished) ac.abort(new ClientGoneError());
  };
  res.on('close', check);
  if (res.destroyed) check();
  return { signal: ac.signal, dispose: () => res.off('close', check) };
}

/** After an early answer (the body was not drained) the connection cannot be reused. */
export function closeAfterResponse(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}
