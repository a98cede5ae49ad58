// The web console at /_mock/ui: the page and its assets, the live stream (server-sent events) and the storage
// browser's JSON. http/ mounts it behind the control API's gate (control/gate.ts: same access rules); the page
// changes rules, rates and state through the control API itself (same validation, same messages).

import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { PAGE_HEADERS } from '../control/gate.js';
import type { ConsoleAssets } from './assets.js';
import type { ConsoleHub } from './hub.js';
import { storageRouter } from './storage-api.js';
import type { Store } from '../storage/store.js';
import type { ConsoleMessage } from './wire.js';

/** A console that stops reading (a frozen tab) is dropped past this much unsent stream; it reconnects afresh. */
const MAX_BUFFERED_STREAM = 4 * 1024 * 1024;
/** a comment line now and then keeps proxies and the browser from taking a quiet stream for a dead one */
const KEEP_ALIVE_MS = 15_000;

const CONSOLE_CSP =
  "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

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

  // the console's own failures (its files missing: not built) as JSON, like the control API's
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) next(err);
    else res.status(500).json({ error: err instanceof Error ? err.message : String(err) });
  });

  return router;
}
