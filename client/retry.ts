// The C++ SDK's DefaultRetryStrategy [src/client/ClientConfiguration.cc]: up to 3 retries, waiting
// (1 << attemptedRetries) * 300 ms, for 5xx, 403 RequestTimeTooSkewed and the curl failures that are worth another
// try. Client.cc AttemptRequest never retries while the client is disabled; the caller checks that.
import { validateError, type OssClientError } from './errors.js';

export interface RetryOptions {
  /** default 3 */
  maxRetries?: number;
  /** the first wait; each further wait doubles it (default 300 ms, so 300/600/1200) */
  baseDelayMs?: number;
}

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 300 };

export function retryPolicy(o: RetryOptions = {}): RetryPolicy {
  const policy = {
    maxRetries: o.maxRetries ?? DEFAULT_RETRY.maxRetries,
    baseDelayMs: o.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
  };
  if (!Number.isSafeInteger(policy.maxRetries) || policy.maxRetries < 0) {
    throw validateError('retry.maxRetries must be a non-negative integer.');
  }
  if (!(policy.baseDelayMs >= 0 && Number.isFinite(policy.baseDelayMs))) {
    throw validateError('retry.baseDelayMs must be a non-negative number.');
  }
  return policy;
}

/** CURLE_COULDNT_CONNECT, PARTIAL_FILE, WRITE_ERROR, OPERATION_TIMEDOUT, GOT_NOTHING, SEND_ERROR, RECV_ERROR, SEND_FAIL_REWIND */
const RETRYABLE_CODES = new Set([7, 18, 23, 28, 52, 55, 56, 65].map((curl) => `ClientError:${200000 + curl}`));

export function isRetryable(err: OssClientError): boolean {
  if (RETRYABLE_CODES.has(err.code)) return true;
  if (err.status === 403 && err.code === 'RequestTimeTooSkewed') return true;
  return err.status > 499 && err.status < 599;
}

export function shouldRetry(err: OssClientError, attemptedRetries: number, policy: RetryPolicy): boolean {
  return attemptedRetries < policy.maxRetries && isRetryable(err);
}

export function retryDelayMs(attemptedRetries: number, policy: RetryPolicy): number {
  return 2 ** attemptedRetries * policy.baseDelayMs;
}
