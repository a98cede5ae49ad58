// What an anonymous (unsigned) request may do while authentication is on: what the bucket and object ACLs grant
// everyone (docs/protocol.md#object-acl). A public-read bucket or object can be read, a public-read-write one written
// too; an object's own ACL wins over its bucket's, `default` defers to it (developer-reference/putobjectacl: "The
// object ACL takes precedence over its bucket ACL"). Everything else (ACL, tagging, restore, bucket settings,
// listing all buckets) is the owner's: OSS keeps object tags apart from the object ACL (user-guide, object tagging).
import { OssError } from '../../protocol/errors.js';
import type { OperationName } from '../exchange/exchange.js';
import { noSuchBucket } from '../storage/store-errors.js';
import type { BucketAcl, ObjectAcl, ObjectMeta } from '../storage/store.js';
import { currentObject } from './checks.js';
import type { OperationServices } from './handler.js';
import { parseCopySource } from './copy-source.js';

/** The permission an operation needs; `owner`: never granted by an ACL. */
export type Access = 'read' | 'write' | 'list' | 'owner';

export const OPERATION_ACCESS: Record<OperationName, Access> = {
  PutObject: 'write',
  PostObject: 'write',
  GetObject: 'read',
  HeadObject: 'read',
  DeleteObject: 'write',
  DeleteMultipleObjects: 'write',
  CopyObject: 'write',
  AppendObject: 'write',
  GetObjectMeta: 'read',
  ListObjects: 'list',
  ListObjectsV2: 'list',
  ListBuckets: 'owner',
  PutBucket: 'owner',
  DeleteBucket: 'owner',
  GetBucketInfo: 'owner',
  GetBucketLocation: 'owner',
  GetBucketAcl: 'owner',
  PutBucketAcl: 'owner',
  PutBucketCors: 'owner',
  GetBucketCors: 'owner',
  DeleteBucketCors: 'owner',
  // a CORS preflight is never signed: it is answered from the bucket's CORS rules alone
  OptionObject: 'read',
  PutBucketVersioning: 'owner',
  GetBucketVersioning: 'owner',
  ListObjectVersions: 'list',
  PutObjectTagging: 'owner',
  GetObjectTagging: 'owner',
  DeleteObjectTagging: 'owner',
  PutObjectAcl: 'owner',
  GetObjectAcl: 'owner',
  PutSymlink: 'write',
  GetSymlink: 'read',
  RestoreObject: 'owner',
  InitiateMultipartUpload: 'write',
  UploadPart: 'write',
  UploadPartCopy: 'write',
  ListParts: 'write',
  ListMultipartUploads: 'list',
  CompleteMultipartUpload: 'write',
  AbortMultipartUpload: 'write',
};

const GRANTS: Record<BucketAcl, ReadonlySet<Access>> = {
  private: new Set(),
  'public-read': new Set(['read', 'list']),
  'public-read-write': new Set(['read', 'list', 'write']),
};

function denied(byBucket: boolean): OssError {
  return new OssError('AccessDenied', {
    message: byBucket
      ? 'You have no right to access this object because of bucket acl.'
      : 'You have no right to access this object.',
  });
}

/** The ACL that decides for `object` (or for a key with no object yet) in a bucket with `bucketAcl`. */
function effectiveAcl(bucketAcl: BucketAcl, objectAcl: ObjectAcl | undefined): { acl: BucketAcl; byBucket: boolean } {
  return objectAcl === undefined || objectAcl === 'default'
    ? { acl: bucketAcl, byBucket: true }
    : { acl: objectAcl, byBucket: false };
}

async function checkObject(s: OperationServices, bucket: string, key: string, need: 'read' | 'write'): Promise<void> {
  const info = await s.store.getBucket(bucket);
  if (info === undefined) throw noSuchBucket(bucket);
  const object: ObjectMeta | undefined = await currentObject(s, bucket, key);
  const decided = effectiveAcl(info.acl, object?.acl);
  if (!GRANTS[decided.acl].has(need)) throw denied(decided.byBucket);
  // reading through a symlink needs the target's ACL too (developer-reference/putsymlink)
  if (need === 'read' && object?.objectType === 'Symlink') {
    const target = await currentObject(s, bucket, object.symlinkTarget!);
    const viaTarget = effectiveAcl(info.acl, target?.acl);
    if (!GRANTS[viaTarget.acl].has('read')) throw denied(viaTarget.byBucket);
  }
}

/**
 * Throws AccessDenied unless the ACLs let an anonymous caller do `operation` on `bucket`/`key` (a missing bucket
 * stays NoSuchBucket). CopyObject and UploadPartCopy also need to read their source.
 */
export async function checkAnonymousAccess(
  s: OperationServices,
  operation: OperationName,
  target: { bucket?: string; key?: string },
  copySource: string | undefined,
): Promise<void> {
  const need = OPERATION_ACCESS[operation];
  if (need === 'owner' || target.bucket === undefined) {
    throw new OssError('AccessDenied', { message: 'Anonymous access is forbidden for this operation.' });
  }
  if (need === 'list' || target.key === undefined) {
    // bucket-level: ListObjects, ListMultipartUploads, DeleteMultipleObjects (the bucket's ACL decides)
    const info = await s.store.getBucket(target.bucket);
    if (info === undefined) throw noSuchBucket(target.bucket);
    if (!GRANTS[info.acl].has(need)) throw denied(true);
    return;
  }
  await checkObject(s, target.bucket, target.key, need);
  if (copySource !== undefined && (operation === 'CopyObject' || operation === 'UploadPartCopy')) {
    const source = parseCopySource(copySource);
    await checkObject(s, source.bucket, source.key, 'read');
  }
}
