import type { InflightEntry } from './types.js';

/** Bad control input (a rule, a wait, rates): `field` is the JSON path of the offending value, '' for the whole. */
export class RuleValidationError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(field === '' ? message : `${field}: ${message}`);
    this.name = 'RuleValidationError';
    this.field = field;
  }
}

/** A wait() that did not see enough matching requests in time; `matched` holds the ones it did see. */
export class WaitTimeoutError extends Error {
  readonly matched: InflightEntry[];

  constructor(timeoutMs: number, wanted: number, matched: InflightEntry[]) {
    super(`wait timed out after ${timeoutMs} ms with ${matched.length} of ${wanted} matching requests`);
    this.name = 'WaitTimeoutError';
    this.matched = matched;
  }
}
