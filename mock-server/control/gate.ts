// The one gate in front of everything under /_mock (the control API and the web console): who may come in
// (access.ts: loopback, or the control token as a bearer header or as the console's session cookie; never a page of
// another site in a browser: browser-origin.ts), how a browser gives the token once (session.ts), and what a refused
// browser sees instead of JSON.

import express, { type Request, type RequestHandler, type Router } from 'express';
import type { ServerResponse } from 'node:http';
import type { ServerConfig } from '../exchange/config.js';
import { controlAccess, isLoopbackAddress, type AccessDecision } from './access.js';
import { browserRefusal } from './browser-origin.js';
import { ConsoleSessions } from './session.js';

/** Headers of every page the mock serves a browser (the console's own pages add their CSP). */
export const PAGE_HEADERS = {
  'cache-control': 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A small page of its own (the console's files are behind the gate): a message, and the token form. */
function plainPage(res: ServerResponse, status: number, message: string, withLogin: boolean): void {
  const form = withLogin
    ? `<form method="post" action="/_mock/ui/login">
<label>Control token <input type="password" name="token" autocomplete="current-password" autofocus required></label>
<button type="submit">Open the console</button></form>`
    : '';
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>oss-mock console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1d2330}
input{font:inherit;padding:.3rem;margin:.5rem 0;width:100%;box-sizing:border-box}button{font:inherit;padding:.3rem 1rem}</style>
</head><body><h1>oss-mock console</h1><p>${escapeHtml(message)}</p>${form}</body></html>`;
  res.writeHead(status, {
    ...PAGE_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  });
  res.end(html);
}

/** The console's page itself (relative to the /_mock mount). */
function isConsolePage(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && (req.path === '/ui' || req.path === '/ui/');
}

/** A refused request for the console page gets a page (a login form when a token would let it in), not JSON. */
function refusedPage(req: Request, res: ServerResponse, access: Exclude<AccessDecision, { allowed: true }>): boolean {
  if (!isConsolePage(req)) return false;
  if (access.status === 401) {
    plainPage(res, 401, 'This server wants its control token (oss-mock --control-token) to open the console.', true);
  } else {
    plainPage(
      res,
      403,
      `${access.error}: open the console on this machine, or start oss-mock with --control-token.`,
      false,
    );
  }
  return true;
}

export interface GateOptions {
  config: ServerConfig;
  /** reads an HTML form's fields into req.body under the control bodies' limits (the login form) */
  formBody: RequestHandler;
}

/** Mounted at /_mock before the control API and the console. */
export function controlGate({ config, formBody }: GateOptions): Router {
  const router = express.Router();
  const sessions = new ConsoleSessions(config);

  // first: a refused web page must not log in either
  router.use((req, res, next) => {
    const refusal = browserRefusal(
      {
        method: req.method,
        host: req.headers.host,
        origin: req.headers.origin,
        secFetchSite: req.headers['sec-fetch-site'] as string | undefined,
        secFetchMode: req.headers['sec-fetch-mode'] as string | undefined,
      },
      config,
      config.controlToken === undefined && isLoopbackAddress(req.socket.remoteAddress),
    );
    if (refusal === undefined) next();
    else if (isConsolePage(req)) plainPage(res, 403, `${refusal}.`, false);
    else res.status(403).json({ error: refusal });
  });

  if (config.controlToken !== undefined) {
    // The token, from a `?token=` link or the login form, buys the session cookie and a redirect to the bare console
    // URL, so the token leaves the address bar and is in no Referer.
    const login = (res: ServerResponse, token: string | null): void => {
      if (token !== null && sessions.tokenMatches(token)) {
        sessions.grant(res);
        res.writeHead(303, { ...PAGE_HEADERS, location: '/_mock/ui/', 'cache-control': 'no-store' });
        res.end();
      } else {
        plainPage(res, 401, 'That is not the control token of this server.', true);
      }
    };
    router.post('/ui/login', formBody, (req, res) => {
      const token = (req.body as Record<string, unknown> | undefined)?.token;
      login(res, typeof token === 'string' ? token : null);
    });
    router.use((req, res, next) => {
      const at = req.originalUrl.indexOf('?');
      const token = at < 0 ? null : new URLSearchParams(req.originalUrl.slice(at + 1)).get('token');
      if (token !== null && isConsolePage(req)) login(res, token);
      else next();
    });
  }

  router.use((req, res, next) => {
    const access = controlAccess(
      {
        peer: req.socket.remoteAddress,
        authorization: req.headers.authorization,
        consoleSession: sessions.admits(req),
      },
      config.controlToken,
    );
    if (access.allowed) {
      next();
      return;
    }
    if (refusedPage(req, res, access)) return;
    if (access.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(access.status).json({ error: access.error });
  });

  return router;
}
