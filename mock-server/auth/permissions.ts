// What an authenticated identity may do (docs/protocol.md#permissions): its permissions name the buckets and the
// operations (a level or a list) it may use; anything else is 403 AccessDenied, as OSS answers a RAM user whose
// policies do not allow the action (EC 0003-00000001: https://www.alibabacloud.com/help/en/oss/support/0003-00000001).
// Levels follow OSS's system policies: AliyunOSSReadOnlyAccess allows `oss:Get*` and `oss:List*`
// (https://www.alibabacloud.com/help/en/oss/user-guide/ram-policy-overview); write-only is every other action.
import { OssError } from '../../protocol/errors.js';
import type { OperationName } from '../exchange/exchange.js';
import type { Identity } from '../control/identities.js';
import type { Permissions } from '../exchange/identity.js';

export type RamAction = `oss:${string}`;

/** A read action in the sense of AliyunOSSReadOnlyAccess. */
export function isReadAction(action: RamAction): boolean {
  return action.startsWith('oss:Get') || action.startsWith('oss:List');
}

function bucketPattern(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.?+^$[\]\\(){}|-]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

/** Whether `p` covers `bucket` (undefined: the service level, ListBuckets, which a bucket list never covers). */
export function bucketAllowed(p: Permissions, bucket: string | undefined): boolean {
  if (p.buckets === undefined) return true;
  if (bucket === undefined) return false;
  return p.buckets.some((pattern) => bucketPattern(pattern).test(bucket));
}

export function actionAllowed(p: Permissions, operation: OperationName, action: RamAction): boolean {
  const access = p.access ?? 'full';
  if (access === 'full') return true;
  if (access === 'read-only') return isReadAction(action);
  if (access === 'write-only') return !isReadAction(action);
  return access.includes(operation);
}

function denied(identity: Identity, action: RamAction, bucket: string | undefined): OssError {
  return new OssError('AccessDenied', {
    message: 'You have no right to access this object because of bucket acl.',
    extra: {
      AuthAction: action,
      AuthPrincipal: identity.accessKeyId,
      ...(bucket === undefined ? {} : { Bucket: bucket }),
    },
  });
}

export interface AuthorizeInput {
  operation: OperationName;
  action: RamAction;
  bucket?: string;
  /** CopyObject / UploadPartCopy: the source bucket, which needs oss:GetObject too (read only when it matters) */
  copySourceBucket?: () => string;
}

/** Throws AccessDenied unless `identity` may do the operation on the bucket (and read the copy source). */
export function authorize(identity: Identity, o: AuthorizeInput): void {
  const p = identity.permissions;
  if (!bucketAllowed(p, o.bucket) || !actionAllowed(p, o.operation, o.action)) {
    throw denied(identity, o.action, o.bucket);
  }
  if (o.copySourceBucket !== undefined && !(p.buckets === undefined && (p.access ?? 'full') === 'full')) {
    // reading the source is the GetObject action, whatever the operation list says about CopyObject
    const source = o.copySourceBucket();
    if (!bucketAllowed(p, source) || !actionAllowed(p, 'GetObject', 'oss:GetObject')) {
      throw denied(identity, 'oss:GetObject', source);
    }
  }
}
