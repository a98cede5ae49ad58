// Headers on every response (docs/protocol.md#common-headers): x-oss-request-id, Date, Server, and x-oss-server-time
// (the time spent before the status line, in ms; undocumented, samples show small integers).
import type { Express, NextFunction, Request, Response } from 'express';
import type { ServerResponse } from 'node:http';
import { httpDate } from '../../protocol/dates.js';
import { newRequestId } from '../../protocol/request-id.js';
import type { ServerClock } from '../clock.js';

export function requestIdOf(res: ServerResponse): string {
  return String(res.getHeader('x-oss-request-id') ?? '');
}

/** The Date header changes once a second: formatted once per second, not per request. */
const dateCache = { second: -1, text: '' };

function dateHeader(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== dateCache.second) {
    dateCache.second = second;
    dateCache.text = httpDate(new Date(second * 1000));
  }
  return dateCache.text;
}

/** When commonHeaders saw the request, for x-oss-server-time; absent on answers given before the app ran. */
const startedAt = Symbol('oss-mock.startedAt');
type Stamped = ServerResponse & { [startedAt]?: number };

/**
 * x-oss-server-time is only known when the status line goes out, and every response path passes writeHead (node's
 * implicit header calls it too). The override sits on the app's own response prototype, which every response of
 * the app has (http/express-classes.ts; Express sets it otherwise), so no request pays for a wrapper of its own.
 */
export function stampServerTime(app: Express): void {
  const proto = app.response as unknown as ServerResponse;
  const writeHead = proto.writeHead;
  proto.writeHead = function (this: Stamped, ...args: unknown[]): ServerResponse {
    const started = this[startedAt];
    if (started !== undefined && !this.headersSent) this.setHeader('x-oss-server-time', String(Date.now() - started));
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}

/** Date and the request ID's time come from the server's clock; x-oss-server-time is a duration (real time). */
export function commonHeaders(clock: ServerClock): (req: Request, res: Response, next: NextFunction) => void {
  return (_req, res, next) => {
    const real = Date.now();
    const now = clock.offsetMs === 0 ? real : real + clock.offsetMs;
    res.setHeader('x-oss-request-id', newRequestId(now));
    res.setHeader('Date', dateHeader(now));
    res.setHeader('Server', 'AliyunOSS');
    (res as Stamped)[startedAt] = real;
    next();
  };
}
