// Writing answers. Every success goes through sendXml/sendEmpty and every failure through sendError, so status, headers
// and the XML envelope (docs/protocol.md#error-envelope) cannot drift between handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errHeaderValue, OssError, renderErrorXml } from '../../protocol/errors.js';
import { buildXml, type XmlValue } from '../../protocol/xml.js';

export type HeaderMap = Record<string, string | number | bigint | undefined>;

interface Target {
  req: IncomingMessage;
  res: ServerResponse;
}

function setHeaders(res: ServerResponse, headers: HeaderMap): void {
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) res.setHeader(name, String(value));
  }
}

/** 200 (or `status`) with an XML document built from `body` under `root`. */
export function sendXml(t: Target, root: string, body: XmlValue, headers: HeaderMap = {}, status = 200): void {
  const xml = Buffer.from(buildXml(root, body), 'utf8');
  t.res.statusCode = status;
  setHeaders(t.res, { 'Content-Type': 'application/xml', ...headers, 'Content-Length': xml.length });
  t.res.end(t.req.method === 'HEAD' ? undefined : xml);
}

/** A bodiless answer: 200 with Content-Length 0, or 204/304 which carry no length at all. */
export function sendEmpty(t: Target, status: number, headers: HeaderMap = {}): void {
  t.res.statusCode = status;
  setHeaders(t.res, headers);
  if (status !== 204 && status !== 304 && !t.res.hasHeader('Content-Length')) t.res.setHeader('Content-Length', 0);
  t.res.end();
}

/**
 * The one error path: the `<Error>` envelope with `x-oss-ec`, or for HEAD (which has no body) the same XML in base64 in
 * `x-oss-err` (docs/protocol.md#head-errors). After the headers went out (a GetObject stream that failed) all that is
 * left is to cut the connection so the client sees a short body rather than a wrong one.
 */
export function sendError(t: Target, err: OssError, o: { requestId: string; hostId: string }): void {
  const { res } = t;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) {
    if (!KEEP_ON_ERROR.has(name)) res.removeHeader(name);
  }
  // an error raised below the exchange (the store's MethodNotAllowed for a delete marker) leaves <Method> empty: it is
  // the request's
  const xml = renderErrorXml(
    err.extra.Method === ''
      ? new OssError(err.code, { ...err, extra: { ...err.extra, Method: t.req.method ?? '' } })
      : err,
    o,
  );
  res.statusCode = err.status;
  setHeaders(res, { ...err.headers, 'Content-Type': 'application/xml', 'x-oss-ec': err.ec });
  if (t.req.method === 'HEAD') {
    res.setHeader('x-oss-err', errHeaderValue(xml));
    res.setHeader('Content-Length', 0);
    res.end();
    return;
  }
  const body = Buffer.from(xml, 'utf8');
  res.setHeader('Content-Length', body.length);
  res.end(body);
}

/**
 * Headers set before a handler failed that still describe the error answer: the common ones of docs/protocol.md#common-headers, and the CORS
 * headers of the bucket's rules, which OSS sends on error answers too (a browser could not read the error otherwise).
 */
const KEEP_ON_ERROR: ReadonlySet<string> = new Set([
  'x-oss-request-id',
  'date',
  'server',
  'connection',
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-expose-headers',
  'access-control-max-age',
  'vary',
]);

/**
 * Tells a client that waits for `100 Continue` (`Expect: 100-continue`) to send its body. Node would answer 100 as soon
 * as the headers arrived; the server takes that over (its checkContinue listener), so the body readers call this only
 * once the request was authenticated and dispatched and its body is wanted: a request refused before (403, 404...) gets
 * its final answer without the client ever sending the body (RFC 9110 section 10.1.1).
 */
export function continueIfExpected(req: IncomingMessage, res: ServerResponse): void {
  const expect = req.headers.expect;
  if (expect === undefined || expect.trim().toLowerCase() !== '100-continue') return;
  if (res.headersSent || continued.has(res)) return;
  continued.add(res);
  res.writeContinue();
}

const continued = new WeakSet<ServerResponse>();
