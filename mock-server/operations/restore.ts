// RestoreObject: `POST /<key>?restore` (developer-reference/restoreobject, docs/protocol.md#storage-classes-and-restore).
// The first request on a frozen version answers 202 and starts the restore, one during it 409
// RestoreAlreadyInProgress, one after it 200 (the readable period starts again from now). How long a restore takes is
// the mock's restore delay (`--restore-delay`, startMockOss's restoreDelayMs, POST /_mock/restore-delay).
import { CAUSE_EC, OssError } from '../../protocol/errors.js';
import { parseXml } from '../../protocol/xml.js';
import { sendEmpty } from '../exchange/reply.js';
import { receiveSmallBody } from '../ingest/body-reader.js';
import type { ObjectMeta, RestoreState } from '../storage/store.js';
import { objectTarget, type Handler } from './handler.js';
import { restorePhase } from './restore-state.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A RestoreRequest is a few dozen bytes. */
const MAX_RESTORE_BODY_BYTES = 16 * 1024;

/**
 * Days per class: Archive 1-7 (https://www.alibabacloud.com/help/en/oss/support/0016-00000708), ColdArchive and
 * DeepColdArchive 1-365 (.../0016-00000704); one day when absent (developer-reference/restoreobject). Tiers:
 * Expedited, Standard (default), Bulk (.../0016-00000703), DeepColdArchive without Bulk
 * (help/en/oss/user-guide/restore-objects-14).
 */
const CLASS_RULES: Record<string, { maxDays: number; daysEc: string; tiers: readonly string[] }> = {
  Archive: { maxDays: 7, daysEc: CAUSE_EC.restoreDaysArchive, tiers: [] },
  ColdArchive: { maxDays: 365, daysEc: CAUSE_EC.restoreDaysColdArchive, tiers: ['Expedited', 'Standard', 'Bulk'] },
  DeepColdArchive: { maxDays: 365, daysEc: CAUSE_EC.restoreDaysColdArchive, tiers: ['Expedited', 'Standard'] },
};

/** Elements OSS names as unsupported in a RestoreRequest, with their ECs (support/0016-00000709, -710, -713). */
const UNSUPPORTED_ELEMENTS: Record<string, string> = {
  GlacierJobParameters: CAUSE_EC.restoreGlacierJobParameters,
  OutputLocation: CAUSE_EC.restoreOutputLocation,
  Type: CAUSE_EC.restoreType,
};

interface RestoreRequest {
  days: number;
  tier?: string;
}

function malformed(message?: string, ec?: string): OssError {
  return new OssError('MalformedXML', {
    ...(message === undefined ? {} : { message }),
    ...(ec === undefined ? {} : { ec }),
  });
}

/**
 * `<RestoreRequest><Days>n</Days><JobParameters><Tier>t</Tier></JobParameters></RestoreRequest>`, all optional. A
 * JobParameters on an Archive object, which has no tiers, is MalformedXML, as is any element OSS does not know.
 */
export function parseRestoreRequest(text: string, storageClass: string): RestoreRequest {
  const rules = CLASS_RULES[storageClass]!;
  if (text.trim() === '') return { days: 1 };
  const root = parseXml(text).RestoreRequest;
  if (root === undefined) throw malformed();
  const fields: Record<string, unknown> =
    typeof root === 'object' && root !== null ? (root as Record<string, unknown>) : {};
  for (const name of Object.keys(fields)) {
    if (name === 'Days' || name === 'JobParameters') continue;
    throw malformed(`The RestoreRequest element ${name} is not supported.`, UNSUPPORTED_ELEMENTS[name]);
  }
  const request: RestoreRequest = { days: 1 };
  if (fields.Days !== undefined) {
    const raw = fields.Days;
    const days = typeof raw === 'string' && /^\s*\d{1,4}\s*$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(days >= 1 && days <= rules.maxDays)) {
      throw new OssError('InvalidArgument', {
        message: `Days must be an integer from 1 to ${rules.maxDays} for a ${storageClass} object.`,
        ec: rules.daysEc,
        extra: { ArgumentName: 'Days', ArgumentValue: typeof raw === 'string' ? raw : '' },
      });
    }
    request.days = days;
  }
  if (fields.JobParameters !== undefined) {
    if (rules.tiers.length === 0) {
      throw malformed(`JobParameters is not supported for a ${storageClass} object.`);
    }
    const job = fields.JobParameters;
    const tier = typeof job === 'object' && job !== null ? (job as Record<string, unknown>).Tier : undefined;
    if (typeof tier !== 'string' || !rules.tiers.includes(tier.trim())) {
      throw new OssError('InvalidArgument', {
        message: `Tier must be one of ${rules.tiers.join(', ')} for a ${storageClass} object.`,
        ec: CAUSE_EC.restoreTier,
        extra: { ArgumentName: 'Tier', ArgumentValue: typeof tier === 'string' ? tier : '' },
      });
    }
    request.tier = tier.trim();
  } else if (rules.tiers.length > 0) {
    request.tier = 'Standard';
  }
  return request;
}

/** Not an archived class: OperationNotSupported, with the Detail OSS sends (client_mock_test.go fixture). */
function notRestorable(): OssError {
  return new OssError('OperationNotSupported', {
    extra: { Detail: 'RestoreObject operation does not support this object storage class' },
  });
}

export const restoreObject: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const current = await s.store.headObject(bucket, key);
  if (CLASS_RULES[current.storageClass] === undefined) throw notRestorable();
  const text = (await receiveSmallBody(ex, s.control, MAX_RESTORE_BODY_BYTES)).toString('utf8');
  const request = parseRestoreRequest(text, current.storageClass);
  let status = 202;
  // decided inside the store's commit, so two concurrent requests cannot both start the restore
  await s.store.updateObjectMeta(bucket, key, (meta: ObjectMeta) => {
    if (CLASS_RULES[meta.storageClass] === undefined) throw notRestorable();
    const now = new Date();
    const phase = restorePhase(meta, now);
    if (phase === 'restoring') throw new OssError('RestoreAlreadyInProgress');
    if (phase === 'restored') {
      status = 200;
      return { restore: { ...meta.restore!, expiresAt: new Date(now.getTime() + request.days * DAY_MS) } };
    }
    const readyAt = new Date(now.getTime() + s.control.getRestoreDelay().restoreDelayMs);
    const restore: RestoreState = {
      requestedAt: now,
      readyAt,
      expiresAt: new Date(readyAt.getTime() + request.days * DAY_MS),
      days: request.days,
    };
    if (request.tier !== undefined) restore.tier = request.tier;
    return { restore };
  });
  sendEmpty(ex, status);
};
