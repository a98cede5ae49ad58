// The server's request listener hands OSS requests straight to the OSS pipeline and everything under /_mock (and any
// unusual request target) to the Express app; both ways answer exactly as the Express app alone does. Two real
// listening servers on one store: the listener's and the bare app's, the same requests to each.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MockControl } from '../control/control.js';
import { resolveConfig } from '../index.js';
import { createStore } from '../storage/index.js';
import type { Store } from '../storage/store.js';
import { createApp, createMockListener } from './app.js';
import { expressClasses } from './express-classes.js';

let store: Store;
let viaListener: { endpoint: string; server: http.Server; handle: ReturnType<typeof vi.fn> };
let viaApp: { endpoint: string; server: http.Server };

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const config = resolveConfig({ auth: false });
  store = createStore(undefined);
  await store.open();
  const control = new MockControl({ config, store });
  const { app, listener } = createMockListener({ config, store, control });
  // counts the requests Express itself routes (app.handle is Express's entry point, not in its type declarations)
  const routed = app as unknown as { handle: (...args: unknown[]) => void };
  const handle = vi.fn(routed.handle.bind(app));
  routed.handle = handle;
  const server = http.createServer({ ...expressClasses(app) }, listener);
  viaListener = { endpoint: await listen(server), server, handle };
  const plain = http.createServer(createApp({ config, store, control: new MockControl({ config, store }) }));
  viaApp = { endpoint: await listen(plain), server: plain };
  expect((await fetch(`${viaListener.endpoint}/listener-bucket`, { method: 'PUT' })).status).toBe(200);
  expect((await fetch(`${viaListener.endpoint}/listener-bucket/k`, { method: 'PUT', body: 'hello' })).status).toBe(200);
});

afterAll(async () => {
  for (const s of [viaListener.server, viaApp.server]) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  await store.close();
});

/** The request ID and the server's port differ between the two servers. */
function normal(xml: string): string {
  return xml.replace(/<RequestId>[0-9A-F]+<\/RequestId>/, '').replace(/:\d+<\/HostId>/, '');
}

/** What must be equal between the two servers: status, header names and the headers that do not vary, the body. */
async function answer(endpoint: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${endpoint}${path}`, init);
  const varying = ['date', 'x-oss-request-id', 'x-oss-server-time'];
  const headers = Object.fromEntries(
    [...res.headers]
      .filter(([name]) => ![...varying, 'keep-alive'].includes(name))
      .map(([name, value]) => [name, name === 'x-oss-err' ? normal(Buffer.from(value, 'base64').toString()) : value]),
  );
  return {
    status: res.status,
    headers,
    body: normal(await res.text()),
    varying: varying.map((n) => res.headers.has(n)),
  };
}

const REQUESTS: [string, RequestInit?][] = [
  ['/listener-bucket/k'],
  ['/listener-bucket/k', { method: 'HEAD' }],
  ['/listener-bucket/missing'],
  ['/listener-bucket/missing', { method: 'HEAD' }],
  ['/listener-bucket?max-keys=10'],
  ['/no-such-bucket/k'],
  ['/'],
  ['/Invalid_Bucket/k'],
  ['/listener-bucket/k', { method: 'PATCH' }],
  ['/listener-bucket/k?acl', { method: 'PUT', body: '' }],
  [
    '/listener-bucket/k',
    { method: 'OPTIONS', headers: { origin: 'http://a.example', 'access-control-request-method': 'GET' } },
  ],
  ['/_mockery/k'],
  ['/_mock/health'],
  ['/_MOCK/rules'],
  ['/_mock'],
];

describe('the request listener', () => {
  it('answers every request as the Express app does', async () => {
    for (const [path, init] of REQUESTS) {
      const a = await answer(viaListener.endpoint, path, init);
      const b = await answer(viaApp.endpoint, path, init);
      if (path === '/_mock/health') {
        // the two servers have their own control state; the shape is what must match
        expect(Object.keys(JSON.parse(a.body) as object)).toEqual(Object.keys(JSON.parse(b.body) as object));
        expect(a.status).toBe(b.status);
        continue;
      }
      expect({ path, ...a }).toEqual({ path, ...b });
    }
  });

  it('routes OSS requests past Express, and /_mock requests through it', async () => {
    viaListener.handle.mockClear();
    await answer(viaListener.endpoint, '/listener-bucket/k');
    await answer(viaListener.endpoint, '/listener-bucket/missing');
    await answer(viaListener.endpoint, '/_mockery/k');
    expect(viaListener.handle).not.toHaveBeenCalled();
    await answer(viaListener.endpoint, '/_mock/health');
    await answer(viaListener.endpoint, '/_Mock/rules');
    expect(viaListener.handle).toHaveBeenCalledTimes(2);
  });
});
