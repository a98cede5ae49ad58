// The data that says who may sign requests and what each may do (docs/protocol.md#identities), as the configuration
// and the control API carry it; control/identities.ts keeps the live registry.
import type { OperationName } from './exchange.js';

/**
 * Read-only: the actions OSS's AliyunOSSReadOnlyAccess policy grants (`oss:Get*`, `oss:List*`); write-only: every
 * other action (`oss:Put*`, `oss:Delete*`, `oss:AbortMultipartUpload`...); full: all of them.
 */
export type AccessLevel = 'read-only' | 'write-only' | 'full';

export const ACCESS_LEVELS: readonly AccessLevel[] = ['read-only', 'write-only', 'full'];

/** What an identity may do: plain data, as `--permission`, startMockOss() and the control API take it. */
export interface Permissions {
  /** a level, or the OSS operations allowed by name (default 'full') */
  access?: AccessLevel | readonly OperationName[];
  /** bucket names, `*` matching any run of characters (`logs-*`); default: every bucket */
  buckets?: readonly string[];
}

export interface CredentialPair {
  accessKeyId: string;
  accessKeySecret: string;
}

export interface StsCredential extends CredentialPair {
  securityToken: string;
  /** undefined: never expires */
  expiration?: Date;
}
