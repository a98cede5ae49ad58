// The one rule matcher (used by planFor and by wait) and the validation of rule input from JSON. Validation is
// strict (unknown fields are rejected) so a typo such as `keyprefix` fails loudly instead of matching everything.

import { OPERATIONS, type FaultSpec, type OperationName } from '../exchange/exchange.js';
import { parseRate } from '../rates/parse-rate.js';
import { MAX_PART_NUMBER, MIN_PART_NUMBER } from '../storage/limits.js';
import { RuleValidationError } from './errors.js';
import type { Rule, RuleMatch, WaitOptions } from './types.js';

/** What a rule is matched against: a request context or an in-flight entry. */
export interface MatchTarget {
  operation: OperationName;
  bucket?: string;
  key?: string;
  uploadId?: string;
  partNumber?: number;
}

type Matchers = { [K in keyof RuleMatch]-?: (want: NonNullable<RuleMatch[K]>, t: MatchTarget) => boolean };

const MATCHERS: Matchers = {
  bucket: (want, t) => t.bucket === want,
  key: (want, t) => t.key === want,
  keyPrefix: (want, t) => t.key !== undefined && t.key.startsWith(want),
  operation: (want, t) => t.operation === want,
  partNumber: (want, t) => t.partNumber === want,
  uploadId: (want, t) => t.uploadId === want,
};

export function ruleMatches(match: RuleMatch, target: MatchTarget): boolean {
  return (Object.keys(match) as Array<keyof RuleMatch>).every((k) => {
    const want = match[k];
    return want === undefined || (MATCHERS[k] as (w: unknown, t: MatchTarget) => boolean)(want, target);
  });
}

/** A validated rule before the control assigns its id (when the caller gave none) and hit count. */
export type RuleSpec = Omit<Rule, 'id' | 'hits'> & { id?: string };

type Json = Record<string, unknown>;

export const FAULT_TYPES: ReadonlyArray<FaultSpec['type']> = ['reset', 'close', 'stall', 'error'];
const HOUR_MS = 3_600_000;
const ID = /^[A-Za-z0-9._:-]{1,64}$/;

function fail(field: string, message: string): never {
  throw new RuleValidationError(field, message);
}

function asObject(v: unknown, field: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, 'must be a JSON object');
  return v as Json;
}

function onlyKeys(o: Json, allowed: readonly string[], prefix: string): void {
  const unknown = Object.keys(o).find((k) => !allowed.includes(k));
  if (unknown !== undefined) fail(prefix + unknown, `unknown field (allowed: ${allowed.join(', ')})`);
}

function optString(o: Json, k: string, field: string, allowEmpty = false): string | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || (!allowEmpty && v === '')) fail(field, 'must be a non-empty string');
  return v;
}

function optInt(o: Json, k: string, field: string, min: number, max: number): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(field, `must be an integer from ${min} to ${max}`);
  }
  return v;
}

/** Rates are bytes/s numbers; the CLI's textual forms (`256KiB/s`) are accepted too. */
function optRate(o: Json, k: string, field: string): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  const rate = typeof v === 'number' ? (Number.isSafeInteger(v) && v >= 1 ? v : undefined) : undefined;
  const parsed = typeof v === 'string' ? parseRate(v) : rate;
  if (parsed === undefined) fail(field, 'must be a positive integer rate in bytes/s (or like "256KiB/s")');
  return parsed;
}

export function validateMatch(input: unknown, field: string): RuleMatch {
  if (input === undefined) return {};
  const o = asObject(input, field);
  const p = field === '' ? '' : `${field}.`;
  onlyKeys(o, Object.keys(MATCHERS), p);
  const operation = optString(o, 'operation', `${p}operation`);
  if (operation !== undefined && !(OPERATIONS as readonly string[]).includes(operation)) {
    fail(`${p}operation`, 'must be an OSS operation name such as PutObject or UploadPart');
  }
  return dropUndefined({
    bucket: optString(o, 'bucket', `${p}bucket`),
    key: optString(o, 'key', `${p}key`),
    keyPrefix: optString(o, 'keyPrefix', `${p}keyPrefix`, true),
    operation: operation as OperationName | undefined,
    partNumber: optInt(o, 'partNumber', `${p}partNumber`, MIN_PART_NUMBER, MAX_PART_NUMBER),
    uploadId: optString(o, 'uploadId', `${p}uploadId`),
  });
}

function validateFault(input: unknown): FaultSpec | undefined {
  if (input === undefined) return undefined;
  const o = asObject(input, 'fault');
  onlyKeys(o, ['type', 'afterBytes', 'stallMs', 'status', 'code'], 'fault.');
  const type = o.type as FaultSpec['type'];
  if (!FAULT_TYPES.includes(type)) fail('fault.type', `must be one of ${FAULT_TYPES.join(', ')}`);
  const fault: FaultSpec = dropUndefined({
    type,
    afterBytes: optInt(o, 'afterBytes', 'fault.afterBytes', 0, Number.MAX_SAFE_INTEGER),
    stallMs: optInt(o, 'stallMs', 'fault.stallMs', 0, HOUR_MS),
    // an error fault is an OSS error answer: a client or server error status, never 1xx-3xx (a 101 would switch
    // protocols, a 3xx redirect)
    status: optInt(o, 'status', 'fault.status', 400, 599),
    code: optString(o, 'code', 'fault.code'),
  });
  if (type === 'stall' && fault.stallMs === undefined) fail('fault.stallMs', 'required for a stall');
  if (type !== 'stall' && fault.stallMs !== undefined) fail('fault.stallMs', 'applies only to type stall');
  for (const k of ['status', 'code'] as const) {
    if (type !== 'error' && fault[k] !== undefined) fail(`fault.${k}`, 'applies only to type error');
  }
  return fault;
}

/** Throws RuleValidationError naming the offending field. */
export function validateRule(input: unknown): RuleSpec {
  const o = asObject(input, '');
  onlyKeys(o, ['id', 'match', 'ingestRate', 'egressRate', 'delayMs', 'fault', 'times'], '');
  const id = optString(o, 'id', 'id');
  if (id !== undefined && !ID.test(id)) fail('id', 'must be 1-64 characters of A-Z a-z 0-9 . _ : -');
  return dropUndefined({
    id,
    match: validateMatch(o.match, 'match'),
    ingestRate: optRate(o, 'ingestRate', 'ingestRate'),
    egressRate: optRate(o, 'egressRate', 'egressRate'),
    delayMs: optInt(o, 'delayMs', 'delayMs', 0, HOUR_MS),
    fault: validateFault(o.fault),
    times: optInt(o, 'times', 'times', 1, Number.MAX_SAFE_INTEGER),
  });
}

/** Rates for setRates(): a rate, null (unlimited) or absent (unchanged). */
export function validateRates(input: unknown): { ingestRate?: number | null; egressRate?: number | null } {
  const o = asObject(input, '');
  onlyKeys(o, ['ingestRate', 'egressRate'], '');
  const rate = (k: string): number | null | undefined => (o[k] === null ? null : optRate(o, k, k));
  return dropUndefined({ ingestRate: rate('ingestRate'), egressRate: rate('egressRate') });
}

/** JSON output and deep-equality in tests stay free of `key: undefined`. */
function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Throws RuleValidationError naming the offending field. */
export function validateWait(input: unknown): Omit<WaitOptions, 'signal'> {
  const o = asObject(input, '');
  onlyKeys(o, ['match', 'until', 'minBytes', 'count', 'timeoutMs'], '');
  const timeoutMs = optInt(o, 'timeoutMs', 'timeoutMs', 1, HOUR_MS);
  if (timeoutMs === undefined) fail('timeoutMs', 'required');
  const until = o.until;
  if (until !== undefined && until !== 'received' && until !== 'aborted') {
    fail('until', "must be 'received' or 'aborted'");
  }
  return dropUndefined({
    match: validateMatch(o.match, 'match'),
    until,
    minBytes: optInt(o, 'minBytes', 'minBytes', 0, Number.MAX_SAFE_INTEGER),
    count: optInt(o, 'count', 'count', 1, 10_000),
    timeoutMs,
  });
}
