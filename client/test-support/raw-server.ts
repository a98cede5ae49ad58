// Tiny loopback HTTP servers for the client's unit tests: each test scripts exactly what the "OSS" does on the wire
// (a reset mid-body, a close without reply, a wrong CRC header...). Listens on 127.0.0.1, port 0 only.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { OssClient } from '../client.js';
import type { OssClientOptions } from '../options.js';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** bytes of the body received before the handler answered or the connection ended */
  body: Buffer;
}

export interface RawServer {
  endpoint: string;
  port: number;
  /** TCP connections accepted so far */
  connections: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * `handler` gets the request with its body already read when `readBody` is true (the default); otherwise it gets
 * the request untouched, to read (or not) as it pleases.
 */
export async function startRawServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, recorded: RecordedRequest) => void,
  o: { readBody?: boolean } = {},
): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0, requests: [] as RecordedRequest[] };
  const server = http.createServer((req, res) => {
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.alloc(0),
    };
    state.requests.push(recorded);
    if (o.readBody === false) {
      handler(req, res, recorded);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      recorded.body = Buffer.concat(chunks);
      handler(req, res, recorded);
    });
  });
  server.on('connection', (socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return state.connections;
    },
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound, then released. */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function testClient(endpoint: string, o: Partial<OssClientOptions> = {}): OssClient {
  return new OssClient({
    endpoint,
    accessKeyId: 'test-ak',
    accessKeySecret: 'test-sk',
    retry: { maxRetries: 0, baseDelayMs: 1 },
    ...o,
  });
}

/** Resolves when `predicate` holds, checking on every server event loop turn; rejects after `limit` turns. */
export async function until(predicate: () => boolean, limit = 2000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition not reached');
}

/** The rejection of `p` (fails the test when it resolves). */
export async function rejectionOf(
  p: Promise<unknown>,
): Promise<{ code: string; status: number; message: string; requestId: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; status: number; message: string; requestId: string };
  }
  throw new Error('expected a rejection');
}

export const ERROR_XML = (code: string, message: string, requestId = '5C3D9175B6FC201293AD4890'): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
  `<RequestId>${requestId}</RequestId><HostId>127.0.0.1</HostId><EC>0015-00000101</EC></Error>`;
