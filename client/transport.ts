// One HTTP exchange per attempt on node:http/https, with the failure modes curl reports to the C++ SDK mapped to its
// `ClientError:2000NN` codes (docs/protocol.md#cpp-sdk). The attempt's AbortSignal is
// what disableRequests() fires: the request and its socket are destroyed synchronously, mid-body if need be, and
// the attempt fails with 200042 (curl's CURLE_ABORTED_BY_CALLBACK).
import http from 'node:http';
import type { Socket } from 'node:net';
import https from 'node:https';
import { PassThrough, type Readable } from 'node:stream';
import type { RequestTarget } from './addressing.js';
import { OssClientError, transportError, type CurlCode } from './errors.js';

export interface WireRequest {
  protocol: 'http:' | 'https:';
  method: string;
  target: RequestTarget;
  /** lowercased names; `host` is taken from the target */
  headers: Record<string, string>;
  /** streamed with backpressure and ended; absent: no body */
  body?: Readable;
}

export interface WireResponse {
  status: number;
  /** lowercased names; repeated headers joined with `, ` */
  headers: Record<string, string>;
  /** The response body; it fails with an OssClientError (200056 receive error, 200042 disabled, 200028 idle). */
  body: Readable;
}

export interface TransportContext {
  agent: http.Agent;
  /** aborted by disableRequests() */
  signal: AbortSignal;
  /** idle limit: no byte sent or received for this long fails with 200028 */
  timeoutMs: number;
  connectTimeoutMs: number;
}

type Phase = 'sending' | 'awaiting' | 'receiving' | 'done';

/**
 * Sends one request. Resolves once the status line and headers arrive (the body stays a stream); rejects with an
 * OssClientError for every failure before that.
 */
export function send(wire: WireRequest, ctx: TransportContext): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) {
      wire.body?.destroy();
      reject(abortedError());
      return;
    }
    const client = wire.protocol === 'https:' ? https : http;
    let phase: Phase = wire.body ? 'sending' : 'awaiting';
    let response: http.IncomingMessage | undefined;
    let out: PassThrough | undefined;
    let connectTimer: NodeJS.Timeout | undefined;

    const req = client.request({
      protocol: wire.protocol,
      host: wire.target.connectHost,
      port: wire.target.port,
      method: wire.method,
      path: wire.target.path,
      headers: { ...wire.headers, host: wire.target.host },
      agent: ctx.agent,
    });

    const cleanup = (): void => {
      clearTimeout(connectTimer);
      ctx.signal.removeEventListener('abort', onAbort);
    };

    const fail = (err: OssClientError): void => {
      if (phase === 'done') return;
      const before = phase;
      phase = 'done';
      cleanup();
      wire.body?.unpipe(req);
      wire.body?.destroy();
      req.destroy();
      if (before === 'receiving') out?.destroy(err);
      else reject(err);
    };

    function onAbort(): void {
      // A reset rather than a FIN: the server learns at its next read that the body will never end, instead of
      // first draining (at its throttled rate) whatever the kernel had already buffered (curl's close does the
      // same when unread data remains).
      resetSocket(req.socket);
      fail(abortedError());
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(
        () => fail(transportError(28, `Connection timed out after ${ctx.connectTimeoutMs} milliseconds`)),
        ctx.connectTimeoutMs,
      );
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.setTimeout(ctx.timeoutMs, () =>
      fail(transportError(28, `No data sent or received for ${ctx.timeoutMs} milliseconds`)),
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A failure after a complete response (e.g. EPIPE on a body the server no longer wanted) changes nothing.
      if (phase === 'receiving' && response?.complete) return;
      fail(mapSocketError(err, phase));
    });
    req.on('finish', () => {
      if (phase === 'sending') phase = 'awaiting';
    });

    req.on('response', (res) => {
      if (phase === 'done') {
        res.destroy();
        return;
      }
      const bodyUnsent = phase === 'sending';
      if (bodyUnsent) {
        // The server answered before taking the whole body (an early error): stop sending, as curl does.
        wire.body?.unpipe(req);
        wire.body?.destroy();
      }
      phase = 'receiving';
      response = res;
      out = new PassThrough();
      res.pipe(out);
      res.on('error', (err: NodeJS.ErrnoException) => fail(mapSocketError(err, 'receiving')));
      res.on('close', () => {
        if (!res.complete) fail(transportError(56, 'Connection closed before the response body ended'));
      });
      res.on('end', () => {
        phase = 'done';
        cleanup();
        // The request never finished, so its socket cannot go back to the pool.
        if (bodyUnsent) req.destroy();
      });
      out.on('close', () => {
        // The consumer dropped the body early: free the socket.
        if (!res.complete) fail(transportError(56, 'Response body discarded by the caller'));
      });
      resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), body: out });
    });

    if (wire.body) {
      wire.body.on('error', (err) => fail(transportError(26, err.message, err)));
      wire.body.pipe(req);
    } else {
      req.end();
    }
  });
}

function resetSocket(socket: Socket | null): void {
  if (!socket || socket.destroyed || socket.connecting) return;
  try {
    socket.resetAndDestroy();
  } catch {
    // TLS sockets have no TCP handle to reset; the destroy that follows closes them.
  }
}

function abortedError(): OssClientError {
  return transportError(42);
}

const RESOLVE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);

/**
 * Node's socket errors as curl would name them. "socket hang up" is Node's word for a connection that ended with no
 * response at all (curl: 52, empty reply). A reset or broken pipe while the body is still going out is a send
 * failure (55); once the body is out or the response has started, a reset is a receive failure (56).
 */
function mapSocketError(err: NodeJS.ErrnoException, phase: Phase): OssClientError {
  const code = err.code ?? '';
  let curl: CurlCode;
  if (code === 'ECONNREFUSED') curl = 7;
  else if (RESOLVE_CODES.has(code)) curl = 6;
  else if (code === 'ETIMEDOUT') curl = 28;
  else if (phase === 'receiving') curl = 56;
  else if (err.message === 'socket hang up') curl = 52;
  else if (code === 'EPIPE' || err.syscall === 'write' || phase === 'sending') curl = 55;
  else curl = 56;
  return transportError(curl, err.message, err);
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
