// The web console at /_mock/ui: the page and its assets, the live stream (server-sent events) and the storage
// browser's JSON. Mounted by the control router behind the same access check as the control API; the page changes
// rules, rates and state through the control API itself (same validation, same messages).

import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { ServerResponse } from 'node:http';
import type { AccessDecision } from '../control/access.js';
import type { ConsoleAssets } from './assets.js';
import type { ConsoleHub } from './hub.js';
import type { ConsoleSessions } from './session.js';
import { storageRouter } from './storage-api.js';
import type { Store } from '../storage/store.js';
import type { ConsoleMessage } from './wire.js';

/** A console that stops reading (a frozen tab) is dropped past this much unsent stream; it reconnects afresh. */
const MAX_BUFFERED_STREAM = 4 * 1024 * 1024;
/** a comment line now and then keeps proxies and the browser from taking a quiet stream for a dead one */
const KEEP_ALIVE_MS = 15_000;

const PAGE_HEADERS = {
  'cache-control': 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

const CONSOLE_CSP =
  "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A small page of its own (the console's assets are behind the same check): a message, and the token form. */
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

function isPage(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && (req.path === '/ui' || req.path === '/ui/');
}

/**
 * Before the access check: the token, from a `?token=` link or the login form, buys the session cookie and a
 * redirect to the bare console URL (so the token leaves the address bar and is in no Referer). Only with a control
 * token configured; answers nothing otherwise.
 */
export function consoleLogin(sessions: ConsoleSessions, tokenConfigured: boolean, formBody: RequestHandler): Router {
  const router = express.Router();
  if (!tokenConfigured) return router;
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
    if (token !== null && isPage(req)) login(res, token);
    else next();
  });
  return router;
}

/** A refused request for the console page gets a page (a login form when a token would let it in), not JSON. */
export function consoleRefused(req: Request, res: Response, access: AccessDecision): boolean {
  if (access.allowed || !isPage(req)) return false;
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

export interface ConsoleServices {
  hub: ConsoleHub;
  assets: ConsoleAssets;
  store: Store;
}

export function consoleRouter(s: ConsoleServices): Router {
  const router = express.Router();

  const sendAsset = (res: Response, name: string): void => {
    const asset = s.assets.get(name)!;
    const headers: Record<string, string> = {
      ...PAGE_HEADERS,
      'content-type': asset.contentType,
      'content-length': String(asset.body.length),
    };
    if (name === 'index.html') headers['content-security-policy'] = CONSOLE_CSP;
    res.writeHead(200, headers);
    res.end(asset.body);
  };

  router.get(['/', '/index.html'], (_req, res) => sendAsset(res, 'index.html'));
  router.get(['/app.js', '/app.css'], (req, res) => sendAsset(res, req.path.slice(1)));

  router.get('/stream', (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    const send = (message: ConsoleMessage): void => {
      if (res.writableLength > MAX_BUFFERED_STREAM) res.destroy();
      else if (!res.destroyed) res.write(`data: ${JSON.stringify(message)}\n\n`);
    };
    const unsubscribe = s.hub.subscribe(send);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    res.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  });

  router.use('/api', storageRouter(s.store));

  return router;
}
