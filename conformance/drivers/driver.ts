// The client under test, seen through one interface in OSS terms. Every driver (the builtin client, ali-oss, an
// external process) maps its SDK's calls and failures onto this, so a scenario is written once and its outcome means
// the same thing for every client. Error codes are the vocabulary of docs/protocol.md#cpp-sdk: OSS `<Code>` values as
// the server sent them, C++ SDK client codes (`ClientError:200042`, `ClientError:100002`, ...) for the DisableRequest
// family, and ali-oss's own event names (`cancel`, `abort`) for its cancel/abort family.

/**
 * What a driver can express. A scenario lists the ones it needs; without them it is reported 'n-a' with the reason.
 * - disable: DisableRequest/EnableRequest with the C++ SDK semantics (docs/protocol.md#cpp-sdk): in-flight calls reject
 * with
 *   `ClientError:200042`, calls made while disabled reject with `ClientError:100002` before any byte is sent, and a
 *   resumable upload stops between parts with `ClientError:100002`, keeping its checkpoint.
 * - cancel: ali-oss `cancel()` (docs/protocol.md#ali-oss): a running resumable upload rejects
 *   with code `cancel` and resumes from its checkpoint; after an abort it rejects with code `abort`.
 * - multipart: Initiate/UploadPart/ListParts/ListMultipartUploads/Complete/Abort as separate calls.
 * - append: AppendObject.
 * - resumable: a resumable upload of a file with a checkpoint kept in a directory (stopped by 'disable' or 'cancel').
 * - progress: `onProgress` reports request-body bytes handed to the network (needed to interrupt at a known point on
 *   targets without the control API).
 * - presign: presigned GET/PUT URLs.
 * - signature-v4: the client can sign with OSS4-HMAC-SHA256.
 * - signature-v1: the client can sign with the V1 HMAC-SHA1 scheme (the default client of a scenario signs V1 when
 *   the driver has it, V4 otherwise; V1-only checks are 'n-a' without it).
 * - interrupt: `interrupt()` stops every call in flight on that client with the SDK's own cancellation mechanism
 *   (a Go context, an exception from a progress callback, ...); each fails with `interrupted: true`; later calls
 *   run normally (nothing stays refused, unlike 'disable').
 * - interrupt-resumable: `interrupt()` also stops a running resumable upload, which fails with `interrupted: true`
 *   and keeps its checkpoint.
 */
export const CAPABILITIES = [
  'disable',
  'cancel',
  'interrupt',
  'interrupt-resumable',
  'multipart',
  'append',
  'resumable',
  'progress',
  'presign',
  'signature-v1',
  'signature-v4',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

export function isCapability(s: string): s is Capability {
  return (CAPABILITIES as readonly string[]).includes(s);
}

/** Codes a driver uses beyond OSS's and the C++ SDK's. */
export const DRIVER_ERROR_CODES = {
  /** the driver does not implement the call (a scenario that needs it should have declared the capability) */
  notSupported: 'NotSupported',
  /** ali-oss `{ name: 'cancel' }` */
  cancel: 'cancel',
  /** ali-oss `{ name: 'abort' }` (resuming an aborted upload) */
  abort: 'abort',
} as const;

/** C++ SDK client codes the scenarios assert (docs/protocol.md#cpp-sdk). */
export const CLIENT_CODES = {
  crcMismatch: 'ClientError:100001',
  disabled: 'ClientError:100002',
  abortedByCallback: 'ClientError:200042',
} as const;

/** What a driver can add to a failure besides code, status and request ID. */
export interface DriverErrorDetails {
  /** the SDK's own error as text (exception type and message; its view of code/status/request ID) */
  sdkError?: string;
  /** the call was in flight when `interrupt()` was issued and failed because of it */
  interrupted?: boolean;
}

/** A failed call, whatever the SDK threw: the code, the HTTP status (0 when no response), the request ID if any. */
export class DriverError extends Error {
  override readonly name = 'DriverError';
  readonly sdkError?: string;
  readonly interrupted: boolean;
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly requestId?: string,
    details: DriverErrorDetails = {},
  ) {
    super(message);
    if (details.sdkError !== undefined) this.sdkError = details.sdkError;
    this.interrupted = details.interrupted === true;
  }
}

export function isDriverError(e: unknown): e is DriverError {
  return e instanceof DriverError;
}

export interface ClientConfig {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** without `oss-` prefix, e.g. `cn-hangzhou` */
  region: string;
  signatureVersion?: 'v1' | 'v4';
  /** an STS token, sent as the SDK sends it */
  securityToken?: string;
  /** the SDK's maximum number of retries (0: none); absent: the SDK's default */
  retries?: number;
  connectTimeoutMs?: number;
}

export interface ObjectRef {
  bucket: string;
  key: string;
}

/** Options every transfer accepts. */
export interface TransferOptions {
  /** extra request headers, e.g. `x-oss-traffic-limit` */
  headers?: Record<string, string>;
  /** request-body bytes handed to the network so far (capability 'progress') */
  onProgress?: (bytesSent: number) => void;
}

export interface PutObjectArgs extends ObjectRef, TransferOptions {
  body: Uint8Array;
}

export interface AppendObjectArgs extends PutObjectArgs {
  position: number;
}

export interface UploadPartArgs extends PutObjectArgs {
  uploadId: string;
  partNumber: number;
}

export interface UploadRef extends ObjectRef {
  uploadId: string;
}

export interface CompleteArgs extends UploadRef {
  parts: Array<{ partNumber: number; etag: string }>;
}

export interface ResumableArgs extends ObjectRef {
  /** path of the local file to upload */
  file: string;
  partSize: number;
  parallel: number;
  /** where the driver keeps its checkpoint; scenarios check it is kept on failure and removed on success */
  checkpointDir: string;
  /** extra headers for every part request */
  headers?: Record<string, string>;
}

export interface PresignArgs extends ObjectRef {
  method: 'GET' | 'PUT';
  expiresSeconds: number;
  signatureVersion: 'v1' | 'v4';
}

/** ETag as the client reported it (quoted or not) and CRC-64 as a decimal string when the client exposes it. */
export interface WriteResult {
  etag: string;
  crc64?: string;
}

export interface GetObjectResult extends WriteResult {
  body: Buffer;
}

export interface HeadObjectResult extends WriteResult {
  size: number;
}

export interface AppendResult {
  nextPosition: number;
  crc64?: string;
}

export interface PartEntry {
  partNumber: number;
  etag: string;
  size: number;
}

export interface UploadEntry {
  key: string;
  uploadId: string;
}

/**
 * One configured client. Calls a driver cannot express reject with code `NotSupported`; failures reject with
 * DriverError. `disableRequests`/`enableRequests` need 'disable'; `cancel` needs 'cancel'.
 */
export interface DriverClient {
  putObject(a: PutObjectArgs): Promise<WriteResult>;
  getObject(a: ObjectRef & TransferOptions): Promise<GetObjectResult>;
  headObject(a: ObjectRef): Promise<HeadObjectResult>;
  deleteObject(a: ObjectRef): Promise<void>;
  appendObject(a: AppendObjectArgs): Promise<AppendResult>;
  initiateMultipartUpload(a: ObjectRef): Promise<{ uploadId: string }>;
  uploadPart(a: UploadPartArgs): Promise<WriteResult>;
  listParts(a: UploadRef): Promise<PartEntry[]>;
  listMultipartUploads(a: { bucket: string; prefix?: string }): Promise<UploadEntry[]>;
  completeMultipartUpload(a: CompleteArgs): Promise<WriteResult>;
  abortMultipartUpload(a: UploadRef): Promise<void>;
  resumableUpload(a: ResumableArgs): Promise<WriteResult>;
  presignUrl(a: PresignArgs): Promise<string>;
  disableRequests(): Promise<void>;
  enableRequests(): Promise<void>;
  cancel(): Promise<void>;
  /** capability 'interrupt': stops every call in flight, each failing with `interrupted: true` */
  interrupt(): Promise<void>;
  close(): Promise<void>;
}

/** The SDK a driver drives, as loaded at run time. */
export interface SdkInfo {
  name: string;
  version: string;
}

/** A line of a driver's or SDK's own logging, kept with the scenario it was written during. */
export interface DriverLogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** where it came from: 'event' (protocol log event), 'stderr', 'console' (an in-process SDK) */
  source: string;
}

/** A loaded driver: its capabilities and a way to make clients. */
export interface Driver {
  readonly name: string;
  readonly capabilities: ReadonlySet<Capability>;
  /** the SDK under test and its exact version, when the driver says */
  readonly sdk?: SdkInfo;
  /** e.g. `python 3.11.7` */
  readonly language?: string;
  /** the protocol version a process driver answered with */
  readonly protocol?: number;
  createClient(config: ClientConfig): Promise<DriverClient>;
  /** the driver's own logging since the last call (a process driver's log events and stderr) */
  takeLogs?(): DriverLogEntry[];
  /**
   * Kills the driver process (SIGKILL, no shutdown) and starts a fresh one: clients created before are dead, the
   * next createClient talks to the new process. Only drivers running in a process of their own have it.
   */
  restart?(): Promise<void>;
  close(): Promise<void>;
}

/** How a driver is named on the command line and loaded; `load` throws DriverUnavailableError when it cannot run. */
export interface DriverFactory {
  readonly name: string;
  load(): Promise<Driver>;
}

export class DriverUnavailableError extends Error {
  override readonly name = 'DriverUnavailableError';
}

export function notSupported(driver: string, call: string): DriverError {
  return new DriverError(DRIVER_ERROR_CODES.notSupported, 0, `${driver} driver cannot express ${call}`);
}
