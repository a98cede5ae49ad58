// Archive storage classes and their restore state (docs/protocol.md#storage-classes-and-restore). A version of an
// Archive, ColdArchive or DeepColdArchive object is frozen; RestoreObject makes it restoring, then readable until its
// expiry, then frozen again (developer-reference/restoreobject). The phase is computed from the stored times at each
// request, so no timer runs and a restart (file store) resumes where the clock is.
import { httpDate } from '../../protocol/dates.js';
import { OssError } from '../../protocol/errors.js';
import type { ObjectMeta } from '../storage/store.js';

export const ARCHIVE_CLASSES: readonly string[] = ['Archive', 'ColdArchive', 'DeepColdArchive'];

export type RestorePhase = 'frozen' | 'restoring' | 'restored';

export function isArchived(meta: Pick<ObjectMeta, 'storageClass'>): boolean {
  return ARCHIVE_CLASSES.includes(meta.storageClass);
}

/** undefined for the classes that need no restore (Standard, IA). */
export function restorePhase(meta: Pick<ObjectMeta, 'storageClass' | 'restore'>, now: Date): RestorePhase | undefined {
  if (!isArchived(meta)) return undefined;
  const r = meta.restore;
  if (r === undefined || now.getTime() >= r.expiresAt.getTime()) return 'frozen';
  return now.getTime() < r.readyAt.getTime() ? 'restoring' : 'restored';
}

/**
 * `x-oss-restore` of HeadObject/GetObject: absent unless a restore is running or done, `ongoing-request="true"` while
 * restoring, `ongoing-request="false", expiry-date="<http date>"` once readable (developer-reference/headobject).
 */
export function restoreHeader(meta: ObjectMeta, now: Date): string | undefined {
  const phase = restorePhase(meta, now);
  if (phase === 'restoring') return 'ongoing-request="true"';
  if (phase === 'restored') return `ongoing-request="false", expiry-date="${httpDate(meta.restore!.expiresAt)}"`;
  return undefined;
}

/**
 * GetObject, CopyObject and UploadPartCopy read the bytes, so a frozen or still restoring archived version is 403
 * InvalidObjectState, "The operation is not valid for the object's state" (alibabacloud.com/help/en/oss/
 * the-the-operation-is-not-valid-for-the-object-s-state-error-message-is-returned-when-you-access-a-restored-archive-object).
 */
export function assertReadable(meta: ObjectMeta, now: Date): void {
  const phase = restorePhase(meta, now);
  if (phase === 'frozen' || phase === 'restoring') throw new OssError('InvalidObjectState');
}
