// What never reaches the Express app: requests Node's HTTP parser refuses (an oversized header section, a bad
// Content-Length, broken chunked framing, a header section that never ends) and connections over the configured cap.
// Node answers the former with a bare `400 Bad Request`; SDKs parse the OSS envelope (docs/protocol.md#error-envelope),
// so the mock answers with it. Real OSS answers such requests from its front end and documents no code for them: the
// codes below are the closest catalogue entries (inferred), each with a message naming the cause.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { httpDate } from '../../protocol/dates.js';
import { OssError, renderErrorXml } from '../../protocol/errors.js';
import { newRequestId } from '../../protocol/request-id.js';
import { sendError } from '../exchange/reply.js';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 503: 'Service Unavailable' };

/** llhttp / Node error code -> the OSS error answered for it. */
const PARSER_ERRORS: Record<string, (maxHeaderBytes: number) => OssError> = {
  HPE_HEADER_OVERFLOW: (max) =>
    new OssError('InvalidRequest', { message: `The request header section exceeds ${max} bytes.` }),
  HPE_INVALID_CONTENT_LENGTH: () =>
    new OssError('InvalidArgument', {
      message: 'Content-Length is not a valid non-negative integer.',
      extra: { ArgumentName: 'Content-Length' },
    }),
  HPE_UNEXPECTED_CONTENT_LENGTH: () =>
    new OssError('InvalidArgument', {
      message: 'Content-Length conflicts with another Content-Length or Transfer-Encoding header.',
      extra: { ArgumentName: 'Content-Length' },
    }),
  ERR_HTTP_REQUEST_TIMEOUT: () => new OssError('RequestTimeout'),
};

function parserError(err: Error & { code?: string; reason?: string }, maxHeaderBytes: number): OssError {
  const known = PARSER_ERRORS[err.code ?? ''];
  if (known !== undefined) return known(maxHeaderBytes);
  const reason = err.reason ?? err.message;
  return new OssError('InvalidRequest', { message: `The request is not valid HTTP/1.1: ${reason}` });
}

function rawErrorResponse(err: OssError, requestId: string, now: Date): string {
  const xml = Buffer.from(renderErrorXml(err, { requestId, hostId: '' }), 'utf8');
  return [
    `HTTP/1.1 ${err.status} ${STATUS_TEXT[err.status] ?? 'Error'}`,
    'Content-Type: application/xml',
    `Content-Length: ${xml.length}`,
    'Connection: close',
    `x-oss-request-id: ${requestId}`,
    `x-oss-ec: ${err.ec}`,
    `Date: ${httpDate(now)}`,
    'Server: AliyunOSS',
    '',
    xml.toString('utf8'),
  ].join('\r\n');
}

/**
 * A Transfer-Encoding other than exactly `chunked`. Node's lenient parser (which ali-oss needs) reads such a body raw,
 * chunk framing and all (`chunked, identity` was stored framing included), so the request is refused as a server does
 * for a transfer coding it does not understand: 501 and close (RFC 9112 docs/protocol.md#putobject), as nginx-based
 * front ends answer any coding but a single chunked.
 */
function unreadableTransferCoding(req: IncomingMessage): string | undefined {
  const coding = req.headers['transfer-encoding'];
  if (coding === undefined || coding.trim().toLowerCase() === 'chunked') return undefined;
  return coding;
}

/** An answer given before the app ran; the connection cannot carry another request. Returns its request id. */
function refuse(req: IncomingMessage, res: ServerResponse, err: OssError, now: Date): string {
  const requestId = newRequestId(now);
  res.setHeader('x-oss-request-id', requestId);
  res.setHeader('Date', httpDate(now));
  res.setHeader('Server', 'AliyunOSS');
  res.setHeader('Connection', 'close');
  sendError({ req, res }, err, { requestId, hostId: req.headers.host ?? '' });
  return requestId;
}

export interface ConnectionGuardOptions {
  /** the server's maxHeaderSize, for the message */
  maxHeaderBytes: number;
  /** connections beyond this many open ones are answered 503 ServiceUnavailable; undefined: no cap */
  maxConnections?: number;
  /** told of every answer the guard gives itself, for the event log */
  onAnswer?: (answer: { requestId: string; status: number; code: string }) => void;
  /** the server's clock (default: real time) */
  now?: () => Date;
}

/**
 * Hooks for http.Server: `track` wraps the request listener, `onConnection` and `onClientError` are the server's
 * 'connection' and 'clientError' listeners.
 */
export class ConnectionGuard {
  private open = 0;
  private readonly overLimit = new WeakSet<object>();
  /** the response being produced on each socket, so a parser error mid-body is answered only if nothing was */
  private readonly current = new WeakMap<object, ServerResponse>();

  constructor(private readonly o: ConnectionGuardOptions) {}

  readonly onConnection = (socket: Duplex): void => {
    this.open++;
    socket.once('close', () => this.open--);
    if (this.o.maxConnections !== undefined && this.open > this.o.maxConnections) this.overLimit.add(socket);
  };

  /**
   * Wraps the app: requests on a connection over the cap get 503, requests in a transfer coding the mock cannot
   * read get 501; both close the connection.
   */
  track(app: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      this.current.set(req.socket, res);
      res.once('finish', () => {
        if (this.current.get(req.socket) === res) this.current.delete(req.socket);
      });
      if (this.overLimit.has(req.socket)) {
        this.refuse(
          req,
          res,
          new OssError('ServiceUnavailable', {
            message: `Too many concurrent connections: oss-mock serves at most ${this.o.maxConnections}.`,
          }),
        );
        return;
      }
      const coding = unreadableTransferCoding(req);
      if (coding !== undefined) {
        this.refuse(
          req,
          res,
          new OssError('NotImplemented', {
            status: 501,
            message: `Transfer-Encoding "${coding}" is not implemented: only a single chunked coding is.`,
            extra: { Header: 'Transfer-Encoding' },
          }),
        );
        return;
      }
      app(req, res);
    };
  }

  private refuse(req: IncomingMessage, res: ServerResponse, err: OssError): void {
    const requestId = refuse(req, res, err, this.o.now?.() ?? new Date());
    this.o.onAnswer?.({ requestId, status: err.status, code: err.code });
  }

  readonly onClientError = (err: Error & { code?: string }, socket: Duplex): void => {
    const res = this.current.get(socket);
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable || res?.headersSent === true) {
      socket.destroy();
      return;
    }
    // an in-flight handler sees its request aborted and answers nothing (ingest/body-reader.ts): this is the one answer
    const answer = parserError(err, this.o.maxHeaderBytes);
    const now = this.o.now?.() ?? new Date();
    const requestId = newRequestId(now);
    socket.end(rawErrorResponse(answer, requestId, now), () => socket.destroy());
    this.o.onAnswer?.({ requestId, status: answer.status, code: answer.code });
  };
}
