import { describe, expect, it } from 'vitest';
import { RuleValidationError } from './errors.js';
import { ruleMatches, validateMatch, validateRule, validateWait } from './rules.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof RuleValidationError) return err.field;
    throw err;
  }
  return undefined;
}

describe('ruleMatches', () => {
  const part = { operation: 'UploadPart', bucket: 'b', key: 'dir/big.bin', uploadId: 'U1', partNumber: 3 } as const;

  it('an empty match matches everything', () => {
    expect(ruleMatches({}, { operation: 'ListBuckets' })).toBe(true);
  });

  it('every given field must match', () => {
    expect(ruleMatches({ bucket: 'b', keyPrefix: 'dir/', operation: 'UploadPart', partNumber: 3 }, part)).toBe(true);
    expect(ruleMatches({ bucket: 'b', partNumber: 4 }, part)).toBe(false);
    expect(ruleMatches({ uploadId: 'U2' }, part)).toBe(false);
    expect(ruleMatches({ keyPrefix: 'other/' }, part)).toBe(false);
  });

  it('`key` matches the exact key only', () => {
    expect(ruleMatches({ key: 'dir/big.bin' }, part)).toBe(true);
    expect(ruleMatches({ key: 'dir/big' }, part)).toBe(false);
    expect(ruleMatches({ key: 'dir/big.bin.2' }, { ...part, key: 'dir/big.bin.2' })).toBe(true);
    expect(ruleMatches({ key: 'dir/big.bin' }, { operation: 'ListObjects', bucket: 'b' })).toBe(false);
    expect(validateMatch({ key: 'a/b' }, 'match')).toEqual({ key: 'a/b' });
    expect(fieldOf(() => validateMatch({ key: '' }, 'match'))).toBe('match.key');
  });

  it('a key prefix never matches a request without a key', () => {
    expect(ruleMatches({ keyPrefix: '' }, { operation: 'ListObjects', bucket: 'b' })).toBe(false);
    expect(ruleMatches({ keyPrefix: '' }, part)).toBe(true);
  });
});

describe('validateRule', () => {
  it('accepts the documented shape and normalises textual rates', () => {
    expect(
      validateRule({
        match: { bucket: 'b', keyPrefix: 'k', operation: 'PutObject' },
        ingestRate: '256KiB/s',
        egressRate: 1000,
        delayMs: 5,
        fault: { type: 'reset', afterBytes: 1024 },
        times: 2,
      }),
    ).toEqual({
      match: { bucket: 'b', keyPrefix: 'k', operation: 'PutObject' },
      ingestRate: 262_144,
      egressRate: 1000,
      delayMs: 5,
      fault: { type: 'reset', afterBytes: 1024 },
      times: 2,
    });
  });

  it.each([
    [null, ''],
    [[], ''],
    [{ match: { keyprefix: 'x' } }, 'match.keyprefix'],
    [{ match: 'b' }, 'match'],
    [{ match: { operation: 'PutObjects' } }, 'match.operation'],
    [{ match: { partNumber: 0 } }, 'match.partNumber'],
    [{ match: { bucket: '' } }, 'match.bucket'],
    [{ ingestRate: 0 }, 'ingestRate'],
    [{ ingestRate: 'quick' }, 'ingestRate'],
    [{ egressRate: 1.5 }, 'egressRate'],
    [{ delayMs: -1 }, 'delayMs'],
    [{ times: 0 }, 'times'],
    [{ fault: { type: 'explode' } }, 'fault.type'],
    [{ fault: { type: 'stall' } }, 'fault.stallMs'],
    [{ fault: { type: 'reset', stallMs: 5 } }, 'fault.stallMs'],
    [{ fault: { type: 'reset', status: 503 } }, 'fault.status'],
    [{ fault: { type: 'error', status: 99 } }, 'fault.status'],
    [{ fault: { type: 'error', status: 101 } }, 'fault.status'],
    [{ fault: { type: 'error', status: 399 } }, 'fault.status'],
    [{ fault: { type: 'error', status: 600 } }, 'fault.status'],
    [{ fault: { type: 'error', afterBytes: -1 } }, 'fault.afterBytes'],
    [{ fault: { type: 'error', when: 1 } }, 'fault.when'],
    [{ id: 'has space' }, 'id'],
    [{ rate: 5 }, 'rate'],
  ])('%j is rejected naming %j', (input, field) => {
    expect(fieldOf(() => validateRule(input))).toBe(field);
  });
});

describe('validateWait', () => {
  it('requires timeoutMs and checks the rest', () => {
    expect(validateWait({ timeoutMs: 10, match: { operation: 'UploadPart' }, minBytes: 5, count: 4 })).toEqual({
      timeoutMs: 10,
      match: { operation: 'UploadPart' },
      minBytes: 5,
      count: 4,
    });
    expect(fieldOf(() => validateWait({}))).toBe('timeoutMs');
    expect(fieldOf(() => validateWait({ timeoutMs: 10, count: 0 }))).toBe('count');
    expect(fieldOf(() => validateWait({ timeoutMs: 10, match: { part: 1 } }))).toBe('match.part');
  });
});
