// Cheap checks made before a body is read, so a doomed upload is refused at once instead of after its last byte.
// The store repeats each of them atomically at commit time; these only spare the client the transfer.
import type { Exchange } from '../exchange/exchange.js';
import { noSuchBucket } from '../storage/store-errors.js';
import { OssError } from '../../protocol/errors.js';
import type { BucketInfo, ObjectMeta } from '../storage/store.js';
import type { OperationServices } from './handler.js';

/** The bucket's settings (its storage class is the default of objects written into it), or NoSuchBucket. */
export async function assertBucket(s: OperationServices, bucket: string): Promise<BucketInfo> {
  const info = await s.store.getBucket(bucket);
  if (info === undefined) throw noSuchBucket(bucket);
  return info;
}

/** The current version, or undefined when the key does not exist (NoSuchBucket still throws). */
export async function currentObject(
  s: OperationServices,
  bucket: string,
  key: string,
): Promise<ObjectMeta | undefined> {
  try {
    return await s.store.headObject(bucket, key);
  } catch (err) {
    if (err instanceof OssError && err.code === 'NoSuchKey') return undefined;
    throw err;
  }
}

/**
 * x-oss-forbid-overwrite (docs/protocol.md#putobject): FileAlreadyExists when the key exists; no effect in a
 * versioned bucket, where a write adds a version (docs/protocol.md#versioning).
 */
export async function assertOverwriteAllowed(
  s: OperationServices,
  ex: Exchange,
  forbid: boolean,
  ec?: string,
): Promise<void> {
  if (!forbid) return;
  if ((await s.store.getBucket(ex.ctx.bucket!))?.versioning !== undefined) return;
  if ((await currentObject(s, ex.ctx.bucket!, ex.ctx.key!)) !== undefined) {
    throw new OssError('FileAlreadyExists', ec === undefined ? {} : { ec });
  }
}
