// Response bodies under the plan's live egress rate: write a piece, wait for the socket to drain, pay the token
// debt, repeat. The source is destroyed as soon as the client goes away. Headers are already sent when this runs,
// so a failing source can only cut the response short (the client sees fewer bytes than Content-Length).

import type { Readable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import type { Exchange } from '../exchange/exchange.js';
import { watchResponse } from '../exchange/disconnect.js';
import { HeldBytes } from '../storage/held-bytes.js';
import { TokenBucket } from '../rates/token-bucket.js';

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      res.off('drain', onDrain);
      reject(signal.reason);
    };
    const onDrain = (): void => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    res.once('drain', onDrain);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The largest held body sent in one step (a bigger one is streamed under backpressure like any other). */
const AT_ONCE_MAX = 1024 * 1024;

/**
 * Sends `body` as the response body and ends the response; never rejects. When the source fails (not the client),
 * the response is cut (the connection destroyed: the client sees it end short of Content-Length, never a hang)
 * and the source's error is returned for the caller to report.
 */
export async function sendBody(ex: Exchange, body: Readable): Promise<unknown> {
  const { res } = ex;
  if (body instanceof HeldBytes && body.size <= AT_ONCE_MAX && ex.plan.egressRate() === undefined) {
    // bytes already in memory and nothing to pace them: headers and body go out in one write; closing the source
    // lets the store release what it pinned for this read
    if (body.chunks.length === 1) {
      res.end(body.chunks[0]);
    } else {
      res.cork();
      for (const chunk of body.chunks) res.write(chunk);
      res.end();
    }
    body.destroy();
    return undefined;
  }
  const watch = watchResponse(res);
  const bucket = new TokenBucket(() => ex.plan.egressRate());
  try {
    for await (const data of body) {
      const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data as string);
      for (let offset = 0; offset < chunk.length;) {
        const piece = chunk.subarray(offset, offset + bucket.pieceSize());
        offset += piece.length;
        if (!res.write(piece)) await drained(res, watch.signal);
        await bucket.consume(piece.length, watch.signal);
      }
    }
    res.end();
    return undefined;
  } catch (err) {
    // the client went away or the source failed: leaving the for-await destroyed the source
    body.destroy();
    res.destroy();
    return watch.signal.aborted ? undefined : err;
  } finally {
    watch.dispose();
  }
}
