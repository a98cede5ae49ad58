// Hand-written HTTP/1.1 uploads whose body stops early, for the atomicity scenarios: a Content-Length body that
// delivers fewer bytes than promised, and a chunked body (as the C++ SDK sends, docs/protocol.md#cpp-sdk) without its
// terminating chunk. No HTTP library lets a caller send either on purpose.
import net from 'node:net';
import tls from 'node:tls';
import type { RawClient, Query } from './raw-client.js';

export interface TruncatedUpload {
  client: RawClient;
  method?: 'PUT' | 'POST';
  bucket: string;
  key: string;
  query?: Query;
  /** 'length': Content-Length = declaredLength; 'chunked': Transfer-Encoding: chunked */
  framing: 'length' | 'chunked';
  declaredLength?: number;
  /** the bytes actually sent before the write side is closed */
  sent: Uint8Array;
  timeoutMs?: number;
}

export interface TruncatedOutcome {
  /** the status line the server answered with before closing, if any */
  status?: number;
  /** the connection ended (closed by the server after our FIN) rather than timing out */
  closed: boolean;
}

/** Sends the head and the partial body, half-closes (FIN), and waits for the server to answer or close. */
export function sendTruncatedUpload(o: TruncatedUpload): Promise<TruncatedOutcome> {
  const method = o.method ?? 'PUT';
  const { url, headers } = o.client.prepare({ method, bucket: o.bucket, key: o.key, query: o.query });
  if (o.framing === 'length') headers['content-length'] = String(o.declaredLength ?? o.sent.byteLength);
  else headers['transfer-encoding'] = 'chunked';
  headers.host = url.host;
  headers.connection = 'close';
  const head =
    `${method} ${url.pathname}${url.search} HTTP/1.1\r\n` +
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    '\r\n';
  const body = Buffer.from(o.sent.buffer, o.sent.byteOffset, o.sent.byteLength);
  const payload =
    o.framing === 'length'
      ? body
      : Buffer.concat([Buffer.from(`${body.byteLength.toString(16)}\r\n`), body, Buffer.from('\r\n')]);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket =
      url.protocol === 'https:'
        ? tls.connect({ host: url.hostname, port, servername: url.hostname })
        : net.connect({ host: url.hostname, port, allowHalfOpen: true });
    let received = '';
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      resolve({ status: m ? Number(m[1]) : undefined, closed });
    };
    const timer = setTimeout(() => finish(false), o.timeoutMs ?? 10_000);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      received += d;
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(head);
    socket.write(payload, () => socket.end());
  });
}
