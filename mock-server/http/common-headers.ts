// Headers on every response (docs/protocol.md#common-headers): x-oss-request-id, Date, Server, and x-oss-server-time
// (the time spent before the status line, in ms; undocumented, samples show small integers).
import type { NextFunction, Request, Response } from 'express';
import type { ServerResponse } from 'node:http';
import { httpDate } from '../../protocol/dates.js';
import { newRequestId } from '../../protocol/request-id.js';

export function requestIdOf(res: ServerResponse): string {
  return String(res.getHeader('x-oss-request-id') ?? '');
}

/** x-oss-server-time is only known when the status line goes out; every response path passes writeHead. */
function stampServerTime(res: ServerResponse, started: number): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((...args: unknown[]) => {
    if (!res.headersSent) res.setHeader('x-oss-server-time', String(Date.now() - started));
    return writeHead(...args);
  }) as ServerResponse['writeHead'];
}

export function commonHeaders(_req: Request, res: Response, next: NextFunction): void {
  const now = new Date();
  res.setHeader('x-oss-request-id', newRequestId(now));
  res.setHeader('Date', httpDate(now));
  res.setHeader('Server', 'AliyunOSS');
  stampServerTime(res, now.getTime());
  next();
}
