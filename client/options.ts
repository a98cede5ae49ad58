// OssClient configuration. Defaults follow the C++ SDK's ClientConfiguration [src/client/ClientConfiguration.cc]:
// V1 signatures, CRC-64 checks on, 3 retries from 300 ms, a 5 s connect timeout and a 10 s request timeout (curl's
// low-speed limit: the request fails when the connection has been idle that long).
import { parseEndpoint, type Endpoint } from './addressing.js';
import { validateError } from './errors.js';
import { retryPolicy, type RetryOptions, type RetryPolicy } from './retry.js';

export type SignatureVersion = 'v1' | 'v4';

/** A key pair, with its STS token for temporary credentials. */
export interface OssCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** STS token, sent as `x-oss-security-token` (presigned: `security-token`, V4 `x-oss-security-token`) */
  securityToken?: string;
}

/**
 * Where a client gets its credentials for each request, as the C++ SDK's CredentialsProvider
 * (sdk/include/alibabacloud/oss/auth/CredentialsProvider.h): asked before every request and presigned URL, so an
 * application can swap in fresh STS credentials without a new client.
 */
export interface CredentialsProvider {
  getCredentials(): OssCredentials;
}

export interface OssClientOptions {
  /** `http://127.0.0.1:9000`, `https://oss-cn-hangzhou.aliyuncs.com`, or a bare `host[:port]` (HTTP) */
  endpoint: string;
  /** required unless credentialsProvider is given */
  accessKeyId?: string;
  accessKeySecret?: string;
  /** STS token, sent as `x-oss-security-token` (presigned: `security-token`) */
  securityToken?: string;
  /** replaces accessKeyId, accessKeySecret and securityToken */
  credentialsProvider?: CredentialsProvider;
  /** V4 scope region, e.g. `cn-hangzhou`; a leading `oss-` is dropped. Default `cn-hangzhou`. */
  region?: string;
  /** default 'v1' */
  signatureVersion?: SignatureVersion;
  /** force `/<bucket>/<key>` addressing for host-name endpoints (IPv4 endpoints always use it) */
  pathStyle?: boolean;
  /** fail with ClientError:200028 after this long without any byte sent or received (default 10000) */
  timeoutMs?: number;
  /** fail with ClientError:200028 when connecting takes longer (default 5000) */
  connectTimeoutMs?: number;
  retry?: RetryOptions;
  /** compare CRC-64 on PutObject, UploadPart, AppendObject, GetObject without Range, Complete (default true) */
  crc64Check?: boolean;
  userAgent?: string;
  /** sockets per client (each client owns its agent, so disabling it never touches another client's sockets) */
  maxSockets?: number;
}

export interface ClientConfig {
  endpoint: Endpoint;
  /** the credentials to sign the next request with */
  credentials(): OssCredentials;
  region: string;
  signatureVersion: SignatureVersion;
  pathStyle: boolean;
  timeoutMs: number;
  connectTimeoutMs: number;
  retry: RetryPolicy;
  crc64Check: boolean;
  userAgent: string;
  maxSockets: number;
}

export const DEFAULT_USER_AGENT = 'oss-mock-client/0.1.0';

export function resolveOptions(o: OssClientOptions): ClientConfig {
  const credentials = credentialsSource(o);
  const signatureVersion = o.signatureVersion ?? 'v1';
  if (signatureVersion !== 'v1' && signatureVersion !== 'v4') {
    throw validateError(`Unknown signature version: ${String(signatureVersion)}`);
  }
  return {
    endpoint: parseEndpoint(o.endpoint),
    credentials,
    region: (o.region ?? 'cn-hangzhou').replace(/^oss-/, ''),
    signatureVersion,
    pathStyle: o.pathStyle ?? false,
    timeoutMs: positive(o.timeoutMs, 10_000, 'timeoutMs'),
    connectTimeoutMs: positive(o.connectTimeoutMs, 5_000, 'connectTimeoutMs'),
    retry: retryPolicy(o.retry),
    crc64Check: o.crc64Check ?? true,
    userAgent: o.userAgent ?? DEFAULT_USER_AGENT,
    maxSockets: positive(o.maxSockets, Infinity, 'maxSockets'),
  };
}

function credentialsSource(o: OssClientOptions): () => OssCredentials {
  const provider = o.credentialsProvider;
  if (provider !== undefined) {
    if (o.accessKeyId !== undefined || o.accessKeySecret !== undefined || o.securityToken !== undefined) {
      throw validateError('Give either credentialsProvider or accessKeyId/accessKeySecret/securityToken, not both.');
    }
    return () => {
      const c = provider.getCredentials();
      if (!c?.accessKeyId || !c.accessKeySecret) {
        throw validateError('The credentials provider returned no accessKeyId and accessKeySecret.');
      }
      return c.securityToken ? c : { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret };
    };
  }
  if (!o.accessKeyId || !o.accessKeySecret) throw validateError('The accessKeyId and accessKeySecret are required.');
  const fixed: OssCredentials = Object.freeze({
    accessKeyId: o.accessKeyId,
    accessKeySecret: o.accessKeySecret,
    ...(o.securityToken ? { securityToken: o.securityToken } : {}),
  });
  return () => fixed;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw validateError(`${name} must be a positive number.`);
  return value;
}
