// The request and response classes given to http.createServer: every request of an Express app is born with the
// app's prototypes, so Express's per-request Object.setPrototypeOf changes nothing, and the classes are real
// subclasses of node's (V8's fast construct path).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expressClasses } from './express-classes.js';

let server: http.Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  if (server !== undefined) await new Promise<void>((resolve) => server!.close(() => resolve()));
  server = undefined;
});

async function listen(app: express.Express): Promise<string> {
  server = http.createServer({ ...expressClasses(app) }, app);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('expressClasses', () => {
  it('are subclasses of node IncomingMessage and ServerResponse, not functions that build another object', () => {
    const classes = expressClasses(express());
    expect(Object.getPrototypeOf(classes.IncomingMessage)).toBe(http.IncomingMessage);
    expect(Object.getPrototypeOf(classes.ServerResponse)).toBe(http.ServerResponse);
  });

  it('give every request and response the app prototypes, so Express re-prototypes nothing', async () => {
    const app = express();
    // set before the classes are made, as http/common-headers.ts stamps writeHead on the app's response prototype
    (app.response as unknown as { marker: string }).marker = 'kept';
    const seen: { req: boolean; res: boolean; app: boolean; marker: unknown; get: unknown }[] = [];
    app.use((req, res) => {
      seen.push({
        req: Object.getPrototypeOf(req) === app.request,
        res: Object.getPrototypeOf(res) === app.response,
        app: req.app === app && res.app === app,
        marker: (res as unknown as { marker: unknown }).marker,
        // one of Express's own request methods, from the prototype chain
        get: req.get('x-probe'),
      });
      res.end('ok');
    });
    const endpoint = await listen(app);
    const changed: unknown[] = [];
    const setPrototypeOf = Object.setPrototypeOf;
    vi.spyOn(Object, 'setPrototypeOf').mockImplementation((o: unknown, proto: object | null) => {
      const exchange = o instanceof http.IncomingMessage || o instanceof http.ServerResponse;
      if (exchange && Object.getPrototypeOf(o) !== proto) changed.push(o);
      return setPrototypeOf(o, proto);
    });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${endpoint}/x`, { headers: { 'x-probe': 'yes' } });
      expect(await res.text()).toBe('ok');
    }
    expect(seen).toEqual(Array(3).fill({ req: true, res: true, app: true, marker: 'kept', get: 'yes' }));
    expect(changed).toEqual([]);
  });
});
