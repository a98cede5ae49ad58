// The server's configuration as startMockOss() resolves it from its options (and the CLI from its flags).
import type { CredentialPair, Permissions, StsCredential } from './identity.js';

/** How much the request log says: nothing, failed requests (5xx, cut), every OSS request, also control API calls. */
export const LOG_LEVELS = ['silent', 'error', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** one human-readable line a request, or one JSON object a line */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ServerConfig {
  host: string;
  port: number;
  /** undefined: in-memory store */
  dataDir?: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** more permanent key pairs beside the default one (`--credential ID:SECRET`) */
  credentials?: CredentialPair[];
  /** STS temporary credentials (`--sts ID:SECRET:TOKEN[:EXPIRY]`); the control API mints more at run time */
  sts?: StsCredential[];
  /** what each identity may do, by access key id (`--permission`); unnamed identities have full access */
  permissions?: Record<string, Permissions>;
  /** e.g. `cn-hangzhou` (no `oss-` prefix) */
  region: string;
  auth: boolean;
  /** default mock throttles in bytes/s (undefined: unlimited) */
  ingestRate?: number;
  egressRate?: number;
  controlToken?: string;
  /**
   * a request body that sends nothing for this long is answered 400 RequestTimeout (default 60000); so is a header
   * section not complete this long after the connection opened
   */
  bodyIdleTimeoutMs?: number;
  /** request line + headers larger than this are answered 400 InvalidRequest (default 16384, Node's) */
  maxHeaderBytes?: number;
  /** connections beyond this many open ones are answered 503 ServiceUnavailable (default: no cap) */
  maxConnections?: number;
  /** how long a RestoreObject takes, in ms (default 1000; changeable at run time through the control API) */
  restoreDelayMs?: number;
  /** the request log's level (default silent; the `oss-mock` command's default is info) */
  logLevel?: LogLevel;
  /** the request log's format (default text) */
  logFormat?: LogFormat;
  /** buckets created at start when missing (`--bucket`), private, in the mock's region */
  buckets?: string[];
  /** extra base domains for virtual-hosted addressing, besides localhost and *.aliyuncs.com */
  baseDomains: string[];
  /** milliseconds added to the server's notion of now (`--clock-offset`); changeable at run time (control API) */
  clockOffsetMs?: number;
}
