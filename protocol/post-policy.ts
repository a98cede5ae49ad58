// PostObject (browser form upload): the policy form field, its conditions, and the form signatures (V1 and V4).
// The facts, with their public sources, are in docs/protocol.md#postobject-policy and #postobject-signature.
import { createHmac } from 'node:crypto';
import { OssError } from './errors.js';
import { signingKeyV4 } from './signing.js';

/** One entry of a policy's `conditions`. Field names are lowercase, without the `$`. */
export type PolicyCondition =
  | { op: 'eq' | 'starts-with'; field: string; value: string; source: unknown }
  | { op: 'in' | 'not-in'; field: string; values: string[]; source: unknown }
  | { op: 'content-length-range'; min: number; max: number; source: unknown };

export interface PostPolicy {
  expiration: Date;
  conditions: PolicyCondition[];
}

/**
 * ECs of the PostObject policy errors, one per cause, as OSS documents them at
 * https://help.aliyun.com/en/oss/user-guide/<EC> (also https://www.alibabacloud.com/help/en/oss/support/<EC>).
 */
export const POLICY_EC = {
  /** a condition the form does not meet (0006-00000201: "policy condition mismatch") */
  conditionFailed: '0006-00000201',
  /** the policy is not base64 of a JSON object */
  notJson: '0006-00000204',
  /** a top-level member other than expiration and conditions */
  unsupportedMember: '0006-00000206',
  /** no conditions */
  conditionsMissing: '0006-00000207',
  /** no expiration */
  expirationMissing: '0006-00000208',
  /** expiration is not an ISO 8601 GMT string */
  expirationInvalid: '0006-00000210',
  /** expiration is an empty string */
  expirationEmpty: '0006-00000211',
  /** the policy has expired */
  expired: '0006-00000213',
  /** conditions is not a list */
  conditionsNotList: '0006-00000214',
  /** a condition with the wrong number of values, or an unknown operator */
  conditionInvalid: '0006-00000218',
  /** content-length-range with max below min */
  rangeReversed: '0006-00000219',
  /** content-length-range bounds that are not non-negative integers */
  rangeNotInteger: '0006-00000221',
  /** a condition that is neither a list nor a map */
  conditionNotListOrMap: '0006-00000222',
  /** a condition value of the wrong type (in / not-in need a list, eq / starts-with a string) */
  conditionValueType: '0006-00000224',
  /** the file is larger than content-length-range allows (or than 5 GB) */
  fileTooLarge: '0006-00000003',
  /** the file is smaller than content-length-range allows */
  fileTooSmall: '0006-00000004',
} as const;

/**
 * The message every policy document error shares the start of. OSS's troubleshooting page for PostObject quotes
 * "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified." for a
 * policy without conditions (https://www.alibabacloud.com/help/en/oss/how-to-handle-common-errors-when-the-postobject-operation-is-called);
 * the other causes' messages are not published, so they follow the same form.
 */
function invalidPolicy(detail: string, ec: string): OssError {
  return new OssError('InvalidPolicyDocument', { message: `Invalid Policy: ${detail}`, ec });
}

const SIMPLE_CONDITION = 'Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.';

function decodeBase64Strict(text: string): Buffer | undefined {
  const compact = text.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return undefined;
  return Buffer.from(compact, 'base64');
}

/** ISO 8601 in UTC, with or without milliseconds: `2014-12-01T12:00:00.000Z`, `2014-12-01T12:00:00Z`. */
const ISO_8601_GMT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function parseExpiration(value: unknown): Date {
  if (value === undefined) throw invalidPolicy('Policy is missing the expiration.', POLICY_EC.expirationMissing);
  if (value === '') throw invalidPolicy('The expiration of the policy is empty.', POLICY_EC.expirationEmpty);
  const date = typeof value === 'string' && ISO_8601_GMT.test(value) ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw invalidPolicy('Invalid expiration, it must be an ISO 8601 GMT date string.', POLICY_EC.expirationInvalid);
  }
  return date;
}

/** `$key` -> `key`; `\$` in a value stands for a literal dollar sign (developer-reference/postobject, policy). */
function fieldName(raw: string): string {
  return (raw.startsWith('$') ? raw.slice(1) : raw).toLowerCase();
}

function literal(value: string): string {
  return value.replace(/\\\$/g, '$');
}

function conditionValueType(source: unknown): OssError {
  return invalidPolicy(`Invalid condition value type: ${JSON.stringify(source)}`, POLICY_EC.conditionValueType);
}

function parseListCondition(source: unknown[]): PolicyCondition {
  const [op, ...args] = source;
  if (typeof op !== 'string') throw conditionValueType(source);
  const name = op.toLowerCase();
  if (name === 'content-length-range') {
    if (args.length !== 2) {
      throw invalidPolicy(`Invalid condition: ${JSON.stringify(source)}`, POLICY_EC.conditionInvalid);
    }
    const [min, max] = args;
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || (min as number) < 0 || (max as number) < 0) {
      throw invalidPolicy(
        `Invalid content-length-range, its bounds must be integers: ${JSON.stringify(source)}`,
        POLICY_EC.rangeNotInteger,
      );
    }
    if ((max as number) < (min as number)) {
      throw invalidPolicy(
        `Invalid content-length-range, max is less than min: ${JSON.stringify(source)}`,
        POLICY_EC.rangeReversed,
      );
    }
    return { op: 'content-length-range', min: min as number, max: max as number, source };
  }
  if (name !== 'eq' && name !== 'starts-with' && name !== 'in' && name !== 'not-in') {
    throw invalidPolicy(`Invalid condition: ${JSON.stringify(source)}`, POLICY_EC.conditionInvalid);
  }
  if (args.length !== 2)
    throw invalidPolicy(`Invalid condition: ${JSON.stringify(source)}`, POLICY_EC.conditionInvalid);
  const [field, value] = args;
  if (typeof field !== 'string') throw conditionValueType(source);
  if (name === 'in' || name === 'not-in') {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw conditionValueType(source);
    return { op: name, field: fieldName(field), values: value.map(literal), source };
  }
  if (typeof value !== 'string') throw conditionValueType(source);
  return { op: name, field: fieldName(field), value: literal(value), source };
}

function parseCondition(source: unknown): PolicyCondition {
  if (Array.isArray(source)) return parseListCondition(source);
  if (typeof source !== 'object' || source === null) {
    throw invalidPolicy(
      `Invalid condition, it must be a list or a map: ${JSON.stringify(source)}`,
      POLICY_EC.conditionNotListOrMap,
    );
  }
  // {"bucket": "b"} is an exact match, as ["eq", "$bucket", "b"]
  const entries = Object.entries(source);
  if (entries.length !== 1) throw invalidPolicy(SIMPLE_CONDITION, POLICY_EC.conditionInvalid);
  const [field, value] = entries[0]!;
  if (typeof value !== 'string') throw conditionValueType(source);
  return { op: 'eq', field: fieldName(field), value: literal(value), source };
}

/**
 * The policy form field: base64 of a UTF-8 JSON object with exactly `expiration` and `conditions`. Throws 400
 * InvalidPolicyDocument with the EC of the cause.
 */
export function parsePostPolicy(base64: string): PostPolicy {
  const bytes = decodeBase64Strict(base64);
  let json: unknown;
  try {
    json = bytes === undefined ? undefined : JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalidPolicy('Invalid JSON.', POLICY_EC.notJson);
  }
  const doc = json as Record<string, unknown>;
  const unsupported = Object.keys(doc).find((k) => k !== 'expiration' && k !== 'conditions');
  if (unsupported !== undefined) {
    throw invalidPolicy(`Unsupported member in the policy: ${unsupported}`, POLICY_EC.unsupportedMember);
  }
  const expiration = parseExpiration(doc.expiration);
  if (doc.conditions === undefined) throw invalidPolicy(SIMPLE_CONDITION, POLICY_EC.conditionsMissing);
  if (!Array.isArray(doc.conditions)) {
    throw invalidPolicy('Invalid conditions, it must be a list.', POLICY_EC.conditionsNotList);
  }
  return { expiration, conditions: doc.conditions.map(parseCondition) };
}

/** 403 AccessDenied "Invalid according to Policy: Policy expired." (the PostObject troubleshooting page). */
export function checkPolicyExpiration(policy: PostPolicy, now: Date): void {
  if (now.getTime() > policy.expiration.getTime()) {
    throw new OssError('AccessDenied', {
      message: 'Invalid according to Policy: Policy expired.',
      ec: POLICY_EC.expired,
    });
  }
}

function conditionHolds(c: Exclude<PolicyCondition, { op: 'content-length-range' }>, actual: string): boolean {
  switch (c.op) {
    case 'eq':
      return actual === c.value;
    case 'starts-with':
      return actual.startsWith(c.value);
    case 'in':
      return c.values.includes(actual);
    case 'not-in':
      return !c.values.includes(actual);
  }
}

function conditionFailed(c: PolicyCondition): OssError {
  return new OssError('AccessDenied', {
    message: `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(c.source)}`,
    ec: POLICY_EC.conditionFailed,
  });
}

/**
 * Checks every condition but content-length-range (the file's size is known only once it arrived: see
 * contentLengthRange) against the form's fields, lowercase names to values. A field the form lacks counts as
 * empty. `bucket` is the bucket the form was posted to; the values are those before `${filename}` was expanded
 * (developer-reference/postobject: "the value of a form field is extended after OSS checks the policy").
 */
export function checkPolicyConditions(policy: PostPolicy, fields: ReadonlyMap<string, string>, bucket: string): void {
  for (const c of policy.conditions) {
    if (c.op === 'content-length-range') continue;
    const actual = c.field === 'bucket' ? bucket : (fields.get(c.field) ?? '');
    if (!conditionHolds(c, actual)) throw conditionFailed(c);
  }
}

/** The tightest size range the policy's content-length-range conditions allow, undefined when it has none. */
export function contentLengthRange(policy: PostPolicy): { min: number; max: number } | undefined {
  let range: { min: number; max: number } | undefined;
  for (const c of policy.conditions) {
    if (c.op !== 'content-length-range') continue;
    range =
      range === undefined
        ? { min: c.min, max: c.max }
        : { min: Math.max(range.min, c.min), max: Math.min(range.max, c.max) };
  }
  return range;
}

/** V1 form signature: base64 HMAC-SHA1 of the base64 policy with the AccessKey secret. */
export function postSignatureV1(secret: string, policyBase64: string): string {
  return createHmac('sha1', secret).update(policyBase64, 'utf8').digest('base64');
}

/**
 * V4 form signature: lowercase hex HMAC-SHA256 of the base64 policy with the V4 signing key of the credential's
 * day and region (https://www.alibabacloud.com/help/en/oss/developer-reference/signature-version-4-recommend).
 */
export function postSignatureV4(
  secret: string,
  day: string,
  region: string,
  policyBase64: string,
  product = 'oss',
): string {
  return createHmac('sha256', signingKeyV4(secret, day, region, product))
    .update(policyBase64, 'utf8')
    .digest('hex');
}
