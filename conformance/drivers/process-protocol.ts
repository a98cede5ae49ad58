// The JSON-lines protocol between the suite and a driver process (conformance/PROTOCOL.md is its specification).
// Shared by the suite's side (process.ts) and the reference driver's side (process-server.ts) so they cannot drift.
import type { ClientConfig } from './driver.js';

/** The version the suite speaks; it also accepts drivers answering any of SUPPORTED_PROTOCOLS. */
export const PROTOCOL_VERSION = 2;
export const SUPPORTED_PROTOCOLS: readonly number[] = [1, 2];

/** suite -> driver, one per line on the driver's stdin */
export interface RequestMessage {
  id: number;
  op: Operation;
  args: Record<string, unknown>;
}

/** driver -> suite, one per line on the driver's stdout */
export type ResponseMessage =
  { id: number; ok: true; result: Record<string, unknown> } | { id: number; ok: false; error: WireError };

/** driver -> suite, unsolicited */
export type EventMessage =
  { event: 'progress'; id: number; bytes: number } | { event: 'log'; level: LogLevel; message: string };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface WireError {
  code: string;
  status: number;
  message: string;
  requestId?: string;
  /** protocol 2: the SDK's own error as text */
  sdkError?: string;
  /** protocol 2: the call was in flight when `interrupt` was issued */
  interrupted?: boolean;
}

/** Request and response bodies: inline base64, or a path to a file the other side reads. */
export type WireBody = { base64: string } | { path: string };

export interface HelloResult {
  name: string;
  protocol: number;
  capabilities: string[];
  /** protocol 2: the SDK as loaded at run time */
  sdk?: { name: string; version: string };
  /** protocol 2: e.g. `python 3.11.7` */
  language?: string;
}

export type CreateClientArgs = ClientConfig;

/** Every op a driver process answers; ops on a client carry `client` (the id createClient returned). */
export const OPERATIONS = [
  'hello',
  'createClient',
  'closeClient',
  'putObject',
  'getObject',
  'headObject',
  'deleteObject',
  'appendObject',
  'initiateMultipartUpload',
  'uploadPart',
  'listParts',
  'listMultipartUploads',
  'completeMultipartUpload',
  'abortMultipartUpload',
  'resumableUpload',
  'presignUrl',
  'disableRequests',
  'enableRequests',
  'cancel',
  'interrupt',
  'shutdown',
] as const;

export type Operation = (typeof OPERATIONS)[number];

export function isOperation(s: unknown): s is Operation {
  return typeof s === 'string' && (OPERATIONS as readonly string[]).includes(s);
}

export function encodeBody(bytes: Uint8Array): WireBody {
  return { base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

/** Any parsed JSON value that looks like a message, or a description of why it does not. */
export function parseLine(line: string): RequestMessage | ResponseMessage | EventMessage | { invalid: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { invalid: `not JSON: ${line.slice(0, 120)}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return { invalid: `not an object: ${line.slice(0, 120)}` };
  const m = v as Record<string, unknown>;
  if (m.event === 'progress' && typeof m.id === 'number' && typeof m.bytes === 'number') {
    return { event: 'progress', id: m.id, bytes: m.bytes };
  }
  if (m.event === 'log') return { event: 'log', level: logLevel(m.level), message: String(m.message ?? '') };
  if (typeof m.id !== 'number') return { invalid: `no numeric id: ${line.slice(0, 120)}` };
  if (m.ok === true) return { id: m.id, ok: true, result: isRecord(m.result) ? m.result : {} };
  if (m.ok === false) {
    const e = isRecord(m.error) ? m.error : {};
    return {
      id: m.id,
      ok: false,
      error: {
        code: typeof e.code === 'string' ? e.code : 'DriverProtocolError',
        status: typeof e.status === 'number' ? e.status : 0,
        message: typeof e.message === 'string' ? e.message : '',
        requestId: typeof e.requestId === 'string' && e.requestId !== '' ? e.requestId : undefined,
        sdkError: typeof e.sdkError === 'string' ? e.sdkError : undefined,
        interrupted: e.interrupted === true ? true : undefined,
      },
    };
  }
  if (isOperation(m.op)) return { id: m.id, op: m.op, args: isRecord(m.args) ? m.args : {} };
  return { invalid: `neither a request nor a response: ${line.slice(0, 120)}` };
}

function logLevel(v: unknown): LogLevel {
  if (v === 'debug' || v === 'info' || v === 'warn' || v === 'error') return v;
  if (v === 'warning') return 'warn';
  return 'info';
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
