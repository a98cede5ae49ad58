// Errors as the C++ SDK reports them (docs/protocol.md#cpp-sdk): the server's XML <Code>,
// `ServerError:<status>` for a body that is not an <Error> document, `ClientError:1000NN` for the SDK's own checks and
// `ClientError:2000NN` (200000 + curl code) for transport failures. Callers match on `code`, never on the message.
import { parseXml } from '../protocol/xml.js';

/** Transport failures, keyed by the curl code the C++ SDK adds to 200000; messages are curl_easy_strerror's. */
export const CURL_ERRORS = {
  6: "Couldn't resolve host name",
  7: "Couldn't connect to server",
  26: 'Failed to open/read local data from file/application',
  28: 'Timeout was reached',
  42: 'Operation was aborted by an application callback',
  52: 'Server returned nothing (no headers, no data)',
  55: 'Failed sending data to the peer',
  56: 'Failure when receiving data from the peer',
} as const;

export type CurlCode = keyof typeof CURL_ERRORS;

export const CRC_MISMATCH = 'ClientError:100001';
export const REQUESTS_DISABLED = 'ClientError:100002';

export interface OssClientErrorInit {
  /** HTTP status of the response that produced the error; 0 when there was none (transport, disabled, validation). */
  status?: number;
  requestId?: string;
  hostId?: string;
  ec?: string;
  /** Every child element of the server's <Error> document (Code, Message, ServerTime, BucketName...). */
  details?: Record<string, string>;
  headers?: Record<string, string>;
  cause?: unknown;
}

export class OssClientError extends Error {
  readonly code: string;
  readonly status: number;
  readonly requestId: string;
  readonly hostId: string;
  readonly ec: string;
  readonly details: Record<string, string>;
  readonly headers: Record<string, string>;

  constructor(code: string, message: string, init: OssClientErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'OssClientError';
    this.code = code;
    this.status = init.status ?? 0;
    this.requestId = init.requestId ?? '';
    this.hostId = init.hostId ?? '';
    this.ec = init.ec ?? '';
    this.details = init.details ?? {};
    this.headers = init.headers ?? {};
  }
}

export function isOssClientError(err: unknown): err is OssClientError {
  return err instanceof OssClientError;
}

/** Client.cc AttemptOnceRequest: the check made before every attempt while the client is disabled. */
export function requestsDisabledError(): OssClientError {
  return new OssClientError(REQUESTS_DISABLED, 'Disable all requests by upper.');
}

/** OssClientImpl::MakeRequest: argument checks fail before anything else, even while disabled. */
export function validateError(message: string): OssClientError {
  return new OssClientError('ValidateError', message);
}

export function transportError(curl: CurlCode, detail?: string, cause?: unknown): OssClientError {
  const message = `${CURL_ERRORS[curl]}.${detail ? ` ${detail}` : ''}`;
  return new OssClientError(`ClientError:${200000 + curl}`, message, { cause });
}

/** The message format of OssClientImpl::hasResponseError, typo ("Transferd") included. */
export function crcMismatchError(o: {
  server: bigint;
  client: bigint;
  transferred: number;
  requestId: string;
  status: number;
}): OssClientError {
  const message =
    `Crc64 validation failed. Expected hash:${o.server} not equal to calculated hash:${o.client}. ` +
    `Transferd bytes:${o.transferred}. RequestId:${o.requestId}`;
  return new OssClientError(CRC_MISMATCH, message, { status: o.status, requestId: o.requestId });
}

/** A result body that is not the XML the operation promises (OssClientImpl: "ParseXMLError"). */
export function parseResultError(what: string, requestId: string, status: number): OssClientError {
  return new OssClientError('ParseXMLError', `Parsing ${what} result fail.`, { status, requestId });
}

/**
 * The error for a non-2xx response (Client::buildError + OssClientImpl::buildError). A HEAD answer has no body, so
 * the base64 XML in `x-oss-err` stands in for it (docs/protocol.md#head-errors). The request id falls back to the
 * `x-oss-request-id` header when the body has none.
 */
export function serverError(status: number, headers: Record<string, string>, body: Buffer): OssClientError {
  const xml = body.length > 0 ? body.toString('utf8') : decodeErrHeader(headers['x-oss-err']);
  const details = xml === undefined ? undefined : errorDetails(xml);
  const headerRequestId = headers['x-oss-request-id'] ?? '';
  if (details === undefined || !details.Code) {
    return new OssClientError(`ServerError:${status}`, xml ?? '', { status, requestId: headerRequestId, headers });
  }
  return new OssClientError(details.Code, details.Message ?? '', {
    status,
    requestId: details.RequestId || headerRequestId,
    hostId: details.HostId,
    ec: details.EC ?? headers['x-oss-ec'],
    details,
    headers,
  });
}

function decodeErrHeader(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return Buffer.from(value, 'base64').toString('utf8');
}

/** The leaf children of an <Error> root, or undefined when the text is not such a document. */
function errorDetails(xml: string): Record<string, string> | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parseXml(xml);
  } catch {
    return undefined;
  }
  const root = doc.Error;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) return undefined;
  const details: Record<string, string> = {};
  for (const [name, value] of Object.entries(root)) {
    if (typeof value === 'string') details[name] = value;
  }
  return details;
}
