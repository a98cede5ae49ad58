import type { IncomingMessage } from 'node:http';

/** The promised body length, or null for a chunked body (Transfer-Encoding wins over Content-Length, RFC 9112
 * docs/protocol.md#getobject). */
export function promisedLength(req: IncomingMessage): number | null {
  if (/\bchunked\b/i.test(req.headers['transfer-encoding'] ?? '')) return null;
  const cl = req.headers['content-length'];
  return cl === undefined ? 0 : Number(cl);
}
