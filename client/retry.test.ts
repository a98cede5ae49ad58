import { describe, expect, it } from 'vitest';
import { OssClientError } from './errors.js';
import { DEFAULT_RETRY, isRetryable, retryDelayMs, retryPolicy, shouldRetry } from './retry.js';

const err = (code: string, status = 0): OssClientError => new OssClientError(code, '', { status });

describe('DefaultRetryStrategy', () => {
  it('waits 300, 600, 1200 ms', () => {
    expect([0, 1, 2].map((n) => retryDelayMs(n, DEFAULT_RETRY))).toEqual([300, 600, 1200]);
  });

  it('retries 5xx, RequestTimeTooSkewed and the listed curl codes only', () => {
    for (const curl of [7, 18, 23, 28, 52, 55, 56, 65])
      expect(isRetryable(err(`ClientError:${200000 + curl}`))).toBe(true);
    for (const curl of [6, 26, 42]) expect(isRetryable(err(`ClientError:${200000 + curl}`))).toBe(false);
    expect(isRetryable(err('ClientError:100001', 200))).toBe(false);
    expect(isRetryable(err('ClientError:100002'))).toBe(false);
    expect(isRetryable(err('InternalError', 500))).toBe(true);
    expect(isRetryable(err('ServerError:503', 503))).toBe(true);
    expect(isRetryable(err('RequestTimeTooSkewed', 403))).toBe(true);
    expect(isRetryable(err('AccessDenied', 403))).toBe(false);
    expect(isRetryable(err('NoSuchKey', 404))).toBe(false);
  });

  it('stops after maxRetries', () => {
    const e = err('InternalError', 500);
    expect([0, 1, 2, 3].map((n) => shouldRetry(e, n, DEFAULT_RETRY))).toEqual([true, true, true, false]);
  });
});

describe('retryPolicy', () => {
  it('defaults to the SDK values and refuses nonsense', () => {
    expect(retryPolicy()).toEqual({ maxRetries: 3, baseDelayMs: 300 });
    expect(retryPolicy({ maxRetries: 0, baseDelayMs: 5 })).toEqual({ maxRetries: 0, baseDelayMs: 5 });
    expect(() => retryPolicy({ maxRetries: -1 })).toThrow(expect.objectContaining({ code: 'ValidateError' }));
    expect(() => retryPolicy({ baseDelayMs: Number.NaN })).toThrow(expect.objectContaining({ code: 'ValidateError' }));
  });
});
