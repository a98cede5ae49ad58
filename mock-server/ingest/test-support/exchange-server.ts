// A bare node:http server on 127.0.0.1:0 (insecureHTTPParser, like the real app) that turns each request into an
// Exchange planned by a MockControl and runs a test handler on it, recording how each handler call ended.

import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { OssError } from '../../../protocol/errors.js';
import type { Exchange } from '../../exchange/exchange.js';
import type { MockControl } from '../../control/control.js';
import { testContext } from '../../control/test-support/control-fixture.js';

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface ExchangeServer {
  port: number;
  /** the handler outcome of the next request to finish, in finishing order */
  outcome(): Promise<Outcome>;
  close(): Promise<void>;
}

export async function startExchangeServer(
  control: MockControl,
  handler: (ex: Exchange) => Promise<unknown>,
): Promise<ExchangeServer> {
  const finished: Outcome[] = [];
  const waiting: Array<(o: Outcome) => void> = [];
  const record = (o: Outcome): void => {
    const w = waiting.shift();
    if (w) w(o);
    else finished.push(o);
  };
  const server = http.createServer({ insecureHTTPParser: true }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const ctx = testContext({
      key: url.pathname.slice(1),
      operation: url.searchParams.has('partNumber') ? 'UploadPart' : 'PutObject',
    });
    const pn = url.searchParams.get('partNumber');
    if (pn !== null) ctx.partNumber = Number(pn);
    const ex: Exchange = { ctx, req, res, host: '127.0.0.1', query: {}, plan: control.planFor(ctx) };
    handler(ex).then(
      (value) => {
        if (!res.headersSent) res.end(JSON.stringify(value ?? null));
        record({ ok: true, value });
      },
      (error: unknown) => {
        if (error instanceof OssError && !res.headersSent) {
          res.writeHead(error.status, { 'content-type': 'application/xml' });
          res.end(`<Error><Code>${error.code}</Code></Error>`);
        }
        record({ ok: false, error });
      },
    );
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    outcome: () => {
      const o = finished.shift();
      return o ? Promise.resolve(o) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface ClientResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** PUT with node's http client; Content-Length unless `chunked`. Rejects with the client's socket error. */
export function put(
  port: number,
  path: string,
  body: Buffer,
  o: { chunked?: boolean; headers?: Record<string, string>; onRequest?: (req: http.ClientRequest) => void } = {},
): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...o.headers };
    if (!o.chunked) headers['content-length'] ??= String(body.length);
    const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    o.onRequest?.(req);
    // in 64 KiB writes so a chunked body really is several chunks
    for (let off = 0; off < body.length; off += 65536) req.write(body.subarray(off, off + 65536));
    req.end();
  });
}

/** A raw TCP client for requests node's http client will not send (short bodies, both framing headers). */
export function rawSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

/** Everything the server sends until it ends or closes the connection. */
export function readAll(s: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    s.on('data', (c: Buffer) => (text += c.toString()));
    s.on('close', () => resolve(text));
    s.on('end', () => resolve(text));
  });
}
