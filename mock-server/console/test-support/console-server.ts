// A real listening mock for the console's tests, with its ConsoleHub in reach, and optionally seen by the mock as
// coming from another machine: every accepted socket reports `peer` as its remote address (the tests may only send
// traffic to loopback, so the access check's non-loopback branch is reached this way).

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MockControl } from '../../control/control.js';
import { createApp } from '../../http/app.js';
import type { RequestLog } from '../../http/request-log.js';
import { resolveConfig, type MockOssOptions } from '../../index.js';
import { createStore } from '../../storage/index.js';
import { ConsoleHub, type ConsoleHubOptions } from '../hub.js';
import type { ConsoleMessage } from '../wire.js';

export interface ConsoleServer {
  endpoint: string;
  control: MockControl;
  hub: ConsoleHub;
  close(): Promise<void>;
}

export async function startConsoleServer(
  o: MockOssOptions & { peer?: string; hub?: ConsoleHubOptions; requestLog?: RequestLog } = {},
): Promise<ConsoleServer> {
  const { peer, hub: hubOptions, requestLog, ...options } = o;
  const config = resolveConfig({ auth: false, ...options });
  const store = createStore(config.dataDir);
  await store.open();
  const control = new MockControl({ config, store });
  const hub = new ConsoleHub(control, config, hubOptions);
  const server = http.createServer(
    createApp({ config, store, control, consoleHub: hub, ...(requestLog && { requestLog }) }),
  );
  const sockets = new Set<Socket>();
  server.prependListener('connection', (socket: Socket) => {
    if (peer !== undefined) Object.defineProperty(socket, 'remoteAddress', { value: peer });
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  config.port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${config.port}`,
    control,
    hub,
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
      await store.close();
    },
  };
}

/** A client of GET /_mock/ui/stream: the messages as they arrive, and a way to wait for one. */
export interface StreamClient {
  status: number;
  headers: Headers;
  messages: ConsoleMessage[];
  /** Resolves with the first message (already received or to come) for which `test` holds. */
  next(test: (m: ConsoleMessage) => boolean, timeoutMs?: number): Promise<ConsoleMessage>;
  close(): void;
}

export async function openStream(url: string, headers: Record<string, string> = {}): Promise<StreamClient> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const messages: ConsoleMessage[] = [];
  const waiters = new Set<() => void>();
  if (res.ok && res.body !== null) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffered = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffered += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffered.indexOf('\n\n')) >= 0) {
            const frame = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            for (const line of frame.split('\n')) {
              if (line.startsWith('data: ')) messages.push(JSON.parse(line.slice(6)) as ConsoleMessage);
            }
            for (const w of [...waiters]) w();
          }
        }
      } catch {
        // closed
      }
    })();
  }
  return {
    status: res.status,
    headers: res.headers,
    messages,
    next: (test, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = messages.find(test);
          if (found === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no such stream message in ${timeoutMs} ms; got ${messages.map((m) => m.type).join(',')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => abort.abort(),
  };
}
