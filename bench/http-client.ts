// The load side: plain node:http requests, so the client adds as little as possible to what is measured and is the
// same for every server compared. Bodies are streamed from one reused buffer, never built in memory.
import http from 'node:http';
import { once } from 'node:events';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestOptions {
  method: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  agent?: http.Agent;
}

function collect(res: http.IncomingMessage): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    res.on('error', reject);
  });
}

export function request(url: string, o: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method, headers: o.headers, agent: o.agent ?? false }, (res) =>
      collect(res).then(resolve, reject),
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** 1 MiB of incompressible-looking bytes, written again and again */
const PATTERN = Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) >>> 24));

/** Streams `size` bytes with a Content-Length and resolves with the reply and the wall time it took. */
export async function putBytes(
  url: string,
  size: number,
  o: { method?: string; agent?: http.Agent; headers?: Record<string, string> } = {},
): Promise<Reply & { ms: number }> {
  const started = performance.now();
  const req = http.request(url, {
    method: o.method ?? 'PUT',
    agent: o.agent ?? false,
    headers: { ...o.headers, 'content-length': size, 'content-type': 'application/octet-stream' },
  });
  const replied = new Promise<Reply>((resolve, reject) => {
    req.once('response', (res) => collect(res).then(resolve, reject));
    req.once('error', reject);
  });
  let settled = false;
  // observed below; this also keeps an early error from being an unhandled rejection while still writing
  replied.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let sent = 0; sent < size && !settled;) {
    const n = Math.min(PATTERN.length, size - sent);
    sent += n;
    if (!req.write(n === PATTERN.length ? PATTERN : PATTERN.subarray(0, n))) {
      await Promise.race([once(req, 'drain'), replied]);
    }
  }
  req.end();
  const reply = await replied;
  return { ...reply, ms: performance.now() - started };
}
