// The request log: one record per answered request (method, path, operation, status, OSS error code, bytes in and
// out, ms, request id), written by pino (JSON) or pino-pretty (text). At level silent no RequestLog exists and the
// app installs nothing for it: a request pays for one `undefined` check, and pino is not even loaded (the bin's
// start-up time is measured by the bench).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { LogFormat, LogLevel } from '../exchange/config.js';

/** Where log lines go (default process.stdout): anything with write(), e.g. a stream or a collector in a test. */
export interface LogDestination {
  write(line: string): unknown;
  /** a terminal gets coloured text */
  isTTY?: boolean;
}

export interface RequestLogOptions {
  level?: LogLevel;
  format?: LogFormat;
  destination?: LogDestination;
}

/** What the OSS pipeline learnt about a request, for its log record. */
interface Entry {
  start: number;
  socket: Socket;
  operation?: string;
  code?: string;
  /** a control API call: logged at debug */
  control?: boolean;
}

const ENTRY = Symbol('oss-mock.requestLog');
type Logged = ServerResponse & { [ENTRY]?: Entry };

/** A socket's byte counters when its previous request was logged: keep-alive requests are told apart by difference. */
const counted = new WeakMap<Socket, { read: number; written: number }>();

/** The text line of a request record; other records (an internal error) show their message and error. */
function textLine(log: Record<string, unknown>): string {
  if (log.msg !== 'request') {
    const err = log.err as { stack?: string } | undefined;
    return err?.stack === undefined ? String(log.msg) : `${String(log.msg)}\n${err.stack}`;
  }
  const what = [log.method, log.path, log.status, log.code, log.operation].filter((v) => v !== undefined);
  const size = `in ${String(log.bytesIn ?? 0)} B, out ${String(log.bytesOut ?? 0)} B`;
  return `${what.join(' ')} (${String(log.ms)} ms, ${size}) ${String(log.requestId ?? '')}`.trimEnd();
}

export class RequestLog {
  private constructor(readonly logger: Logger) {}

  /** undefined at level silent (the default): nothing is installed and nothing is formatted */
  static async create(o: RequestLogOptions = {}): Promise<RequestLog | undefined> {
    const level = o.level ?? 'silent';
    if (level === 'silent') return undefined;
    const out = o.destination ?? process.stdout;
    const { pino, stdTimeFunctions } = await import('pino');
    if (o.format === 'json') {
      return new RequestLog(
        pino(
          {
            level,
            base: undefined,
            timestamp: stdTimeFunctions.isoTime,
            formatters: { level: (label) => ({ level: label }) },
          },
          out,
        ),
      );
    }
    const { prettyFactory } = await import('pino-pretty');
    const pretty = prettyFactory({
      colorize: out.isTTY === true,
      translateTime: 'UTC:yyyy-mm-dd HH:MM:ss.l',
      ignore: 'pid,hostname',
      hideObject: true,
      messageFormat: textLine,
    });
    return new RequestLog(pino({ level, base: undefined }, { write: (line: string) => out.write(pretty(line)) }));
  }

  /** Express middleware, first in the app: times the request and logs it when its response closes. */
  readonly begin = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const entry: Entry = { start: performance.now(), socket: req.socket };
    (res as Logged)[ENTRY] = entry;
    res.once('close', () => this.finish(req, res, entry));
    next();
  };

  /** What the OSS pipeline knows once the request is answered (or failed). */
  note(res: ServerResponse, operation: string | undefined, code: string | undefined): void {
    const entry = (res as Logged)[ENTRY];
    if (entry === undefined) return;
    if (operation !== undefined) entry.operation = operation;
    if (code !== undefined) entry.code = code;
  }

  /** A /_mock/ control API call: logged at debug. */
  control(res: ServerResponse): void {
    const entry = (res as Logged)[ENTRY];
    if (entry !== undefined) entry.control = true;
  }

  /** An answer the connection guard wrote itself, before the app saw the request. */
  guardAnswer(a: { requestId: string; status: number; code: string }): void {
    this.logger[a.status >= 500 ? 'error' : 'info'](
      { status: a.status, code: a.code, requestId: a.requestId },
      'request',
    );
  }

  internalError(req: IncomingMessage, requestId: string, err: unknown): void {
    this.logger.error({ err, method: req.method, path: pathOf(req), requestId }, 'internal error');
  }

  private finish(req: IncomingMessage, res: ServerResponse, entry: Entry): void {
    // status 0: no answer was sent (the client went away, or a fault cut the connection)
    const status = res.headersSent ? res.statusCode : 0;
    const level = status === 0 || status >= 500 ? 'error' : entry.control ? 'debug' : 'info';
    const socket = entry.socket;
    const before = counted.get(socket) ?? { read: 0, written: 0 };
    const now = { read: socket.bytesRead, written: socket.bytesWritten };
    counted.set(socket, now);
    if (!this.logger.isLevelEnabled(level)) return;
    this.logger[level](
      {
        method: req.method,
        path: pathOf(req),
        ...(entry.operation === undefined ? {} : { operation: entry.operation }),
        status,
        ...(entry.code === undefined ? {} : { code: entry.code }),
        bytesIn: now.read - before.read,
        bytesOut: now.written - before.written,
        ms: Math.round((performance.now() - entry.start) * 100) / 100,
        requestId: String(res.getHeader('x-oss-request-id') ?? ''),
      },
      'request',
    );
  }
}

/** The URL without its query: a presigned URL's query carries a signature, and the operation names the subresource. */
function pathOf(req: IncomingMessage): string {
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
