// How a browser passes the control token (the control API wants `Authorization: Bearer TOKEN`, which neither a page
// load nor an EventSource can send). Opening the console once with `?token=TOKEN`, or entering the token in the
// page's login form, sets an HttpOnly cookie holding not the token but a random session value of this server
// process; the page then loads, fetches and streams with the cookie. SameSite=Strict keeps other sites' pages from
// sending it, and a state-changing request must also carry the X-OSS-Mock-Console header, which a page of another
// origin on the same host (another port of localhost is the same site) cannot add without a CORS preflight the mock
// never grants. The token never appears in a response, a redirect target or a log line.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerConfig } from '../exchange/config.js';

/** The header the console page sends with every request that changes state. */
export const CONSOLE_HEADER = 'x-oss-mock-console';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export class ConsoleSessions {
  private readonly secret = randomBytes(32).toString('base64url');

  constructor(private readonly config: ServerConfig) {}

  /** Cookies ignore ports: two mocks on one host each need their own name. */
  get cookieName(): string {
    return `oss-mock-console-${this.config.port}`;
  }

  /** Whether `token` is the control token (false when none is configured). */
  tokenMatches(token: string): boolean {
    return this.config.controlToken !== undefined && sameSecret(token, this.config.controlToken);
  }

  /** The request carries this server's console cookie, and the console header when its method changes state. */
  admits(req: IncomingMessage): boolean {
    if (this.config.controlToken === undefined) return false;
    const value = cookieValue(req, this.cookieName);
    if (value === undefined || !sameSecret(value, this.secret)) return false;
    return SAFE_METHODS.has(req.method ?? '') || req.headers[CONSOLE_HEADER] !== undefined;
  }

  grant(res: ServerResponse): void {
    res.setHeader('Set-Cookie', `${this.cookieName}=${this.secret}; Path=/_mock; HttpOnly; SameSite=Strict`);
  }
}
