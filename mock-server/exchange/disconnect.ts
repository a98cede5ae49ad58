// Noticing that a client went away mid-request. The rule: a request's body has arrived only once the body reader
// delivered its last byte through the throttle. Until then a connection that closes, by RST or FIN, is an
// interrupted upload, even when node's parser already holds the whole (small) body: nothing may be committed. So is a
// client that leaves during a delay or a stall, or a connection close() cuts.
//
// Node reports a close through several events depending on timing ('aborted' and 'close' on the request, 'end' and
// 'close' on the socket). While a body is throttled, stalled or delayed the socket is not being read, and a socket
// nobody reads reports neither a reset nor a FIN. So a paused watch (1) probes the socket with zero-length writes:
// nothing goes on the wire, but a write on a socket that received an RST fails at once, which closes it; and (2) on
// Linux has the kernel's connection table checked for CLOSE_WAIT (tcp-state.ts), which shows a FIN as soon as it
// reached our kernel. A FIN still queued in the client's kernel behind bytes we have not accepted cannot be seen by
// any server before it reads them.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { tcpState, type TcpStatePoller } from './tcp-state.js';

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
  /** aborted (with ClientGoneError) as soon as the client is gone before its body was delivered */
  readonly signal: AbortSignal;
  /**
   * Runs `wait` (a throttle, stall or delay: the socket is not being read meanwhile); from the first such wait on,
   * the connection is also watched the way a paused socket needs: reset probes and the kernel's TCP state.
   */
  whilePaused<T>(wait: () => Promise<T>): Promise<T>;
  /** The body reader delivered the last byte: from now on a closing connection no longer interrupts the request. */
  delivered(): void;
  dispose(): void;
}

/** Aborts `signal` as soon as the client disconnects before the request body was delivered (see above). */
export function watchRequest(req: IncomingMessage, poller: TcpStatePoller = tcpState): DisconnectWatch {
  const ac = new AbortController();
  const socket = req.socket;
  let delivered = false;
  const gone = (): void => {
    if (!delivered && !ac.signal.aborted) ac.abort(new ClientGoneError());
  };
  // the request closes by itself after its stream ended cleanly; before that, its close is the client's doing
  const requestClosed = (): void => {
    if (!req.readableEnded) gone();
  };
  req.on('aborted', gone);
  req.on('close', requestClosed);
  socket.on('end', gone);
  socket.on('close', gone);
  if (socket.destroyed || socket.readableEnded || (req.destroyed && !req.readableEnded)) gone();
  // From the first pause until the body is delivered the socket is read only in bursts, if at all: the probes and
  // the kernel watch stay on for that whole stretch (a throttle pauses for one piece at a time, often shorter than
  // a probe interval).
  let engaged = false;
  let probe: NodeJS.Timeout | undefined;
  let unwatchKernel = (): void => {};
  const disengage = (): void => {
    clearInterval(probe);
    unwatchKernel();
  };
  const engage = (): void => {
    if (engaged || delivered) return;
    engaged = true;
    probe = setInterval(() => {
      if (socket.writable && socket.writableLength === 0) socket.write(NOTHING);
    }, PROBE_INTERVAL_MS);
    probe.unref();
    unwatchKernel = poller.watch(socket, () => {
      if (delivered) return;
      gone();
      // nothing will be answered, and nobody would read the bytes queued before the FIN
      socket.destroy();
    });
  };
  const watch: DisconnectWatch = {
    signal: ac.signal,
    whilePaused: (wait) => {
      engage();
      return wait();
    },
    delivered: () => {
      delivered = true;
      disengage();
    },
    dispose: () => {
      disengage();
      req.off('aborted', gone);
      req.off('close', requestClosed);
      socket.off('end', gone);
      socket.off('close', gone);
    },
  };
  return watch;
}

export interface ResponseWatch {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** Aborts `signal` as soon as the response can no longer be delivered. */
export function watchResponse(res: ServerResponse): ResponseWatch {
  const ac = new AbortController();
  const check = (): void => {
    if (!res.writableFinished) ac.abort(new ClientGoneError());
  };
  res.on('close', check);
  if (res.destroyed) check();
  return {
    signal: ac.signal,
    dispose: () => {
      res.off('close', check);
    },
  };
}

/** After an early answer (the body was not drained) the connection cannot be reused. */
export function closeAfterResponse(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}
