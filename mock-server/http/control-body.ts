// The control API's JSON request bodies, read under the same limits as the OSS routes' bodies: a body that sends
// nothing for the idle timeout is answered and its connection closed (the server's own request timeout is off for the
// sake of throttled uploads, so nothing else would end a slowloris on /_mock/*), and a client that waits for `100
// Continue` gets it only once its request passed access control.

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { closeAfterResponse } from '../exchange/disconnect.js';
import { continueIfExpected } from '../exchange/reply.js';
import { ChunkReader, IdleTimeoutError } from '../ingest/chunk-reader.js';

/** A body the control API refuses; its router answers `status` with `{ error: message, field: '' }`. */
class ControlBodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlBodyError';
  }
}

/** The JSON body as req.body ({} when empty). `curl -d '{...}'` sends a form content type: it is not looked at. */
export function controlJsonBody(o: { limit: number; idleMs: number }): RequestHandler {
  return controlBody(o, (text) => {
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new ControlBodyError(400, `bad JSON body: ${(err as Error).message}`);
    }
  });
}

/** An HTML form's body (application/x-www-form-urlencoded) as req.body, its fields by name (the console's login). */
export function controlFormBody(o: { limit: number; idleMs: number }): RequestHandler {
  return controlBody(o, (text) => Object.fromEntries(new URLSearchParams(text)));
}

/** The body read under the limits, as req.body = parse(its text); `parse` may throw a ControlBodyError. */
function controlBody(o: { limit: number; idleMs: number }, parse: (text: string) => unknown): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    continueIfExpected(req, res);
    const reader = new ChunkReader(req);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for (;;) {
        const got = await reader.next(o.limit + 1 - size, new AbortController().signal, o.idleMs);
        if (got === null) break;
        for (const chunk of got) size += chunk.length;
        chunks.push(...got);
        if (size > o.limit) {
          closeAfterResponse(res);
          throw new ControlBodyError(413, `request body larger than ${o.limit} bytes`);
        }
      }
    } catch (err) {
      if (err instanceof IdleTimeoutError) {
        closeAfterResponse(res);
        next(new ControlBodyError(400, `RequestTimeout: no request body bytes for ${o.idleMs} ms`));
      } else if (err instanceof ControlBodyError) {
        next(err);
      } else {
        // the connection broke: nobody is left to answer
        res.destroy();
      }
      return;
    } finally {
      reader.detach();
    }
    try {
      req.body = parse(Buffer.concat(chunks, size).toString('utf8'));
    } catch (err) {
      next(err);
      return;
    }
    next();
  };
}
