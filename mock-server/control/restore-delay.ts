// How long a RestoreObject takes on this mock (docs/protocol.md#storage-classes-and-restore): a setting, so a test can
// wait for a restore or make it instant. Real OSS takes a minute (Archive) to two days (DeepColdArchive).
import { RuleValidationError } from './errors.js';

export const DEFAULT_RESTORE_DELAY_MS = 1000;
/** a week: longer than any real restore, and far inside what a timer or Date can hold */
export const MAX_RESTORE_DELAY_MS = 7 * 24 * 60 * 60 * 1000;

/** `1500`, `1500ms`, `1.5s`, `2m` as milliseconds; undefined for anything else or out of range. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(text);
  if (m === null) return undefined;
  const unit = (m[2] ?? 'ms').toLowerCase();
  const ms = Math.round(Number(m[1]) * (unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1));
  return Number.isSafeInteger(ms) && ms <= MAX_RESTORE_DELAY_MS ? ms : undefined;
}

/** The body of POST /_mock/restore-delay: `{ restoreDelayMs }`, a number of ms or a duration string. */
export function validateRestoreDelay(input: unknown): number {
  const value =
    typeof input === 'object' && input !== null ? (input as Record<string, unknown>).restoreDelayMs : undefined;
  const ms =
    typeof value === 'number'
      ? Number.isInteger(value) && value >= 0 && value <= MAX_RESTORE_DELAY_MS
        ? value
        : undefined
      : typeof value === 'string'
        ? parseDuration(value)
        : undefined;
  if (ms === undefined) {
    throw new RuleValidationError(
      'restoreDelayMs',
      `must be milliseconds from 0 to ${MAX_RESTORE_DELAY_MS}, or a duration such as "500ms" or "2s"`,
    );
  }
  return ms;
}
