// Proof the suite can fail: behind a proxy that breaks one guarantee, exactly the scenarios about that guarantee
// fail, and the ones next to them still pass.
import { describe, expect, it } from 'vitest';
import { builtinDriver } from './drivers/builtin.js';
import { runConformance } from './runner.js';
import { startEmbeddedTarget } from './targets/embedded.js';
import { brokenFrontEnd, type Breakage } from './test-support/broken-proxy.js';

/** `status: reason` per `ID [driver]`, so each failure is shown to fail for the broken guarantee. */
async function runBroken(breakage: Breakage, filter: string[]): Promise<Record<string, string>> {
  const target = await startEmbeddedTarget({ frontEnd: brokenFrontEnd(breakage), name: `broken:${breakage}` });
  try {
    const summary = await runConformance({ target, drivers: [builtinDriver], filter });
    expect(summary.ok).toBe(false);
    return Object.fromEntries(
      summary.results.map((r) => [`${r.scenario} [${r.driver}]`, `${r.status}: ${r.reason ?? ''}`]),
    );
  } finally {
    await target.close();
  }
}

describe('a deliberately broken target', () => {
  it('that commits truncated bodies fails the seed and the atomicity scenarios', async () => {
    const statuses = await runBroken('commit-truncated', [
      'INT-001',
      'ATOM-001',
      'ATOM-003',
      'ATOM-004',
      'ATOM-006',
      'WIRE-006',
    ]);
    expect(statuses).toEqual({
      'ATOM-003 [raw]': expect.stringMatching(
        /^fail: after the truncated overwrite: the object holds the previous bytes/,
      ),
      'ATOM-004 [raw]': expect.stringMatching(
        /^fail: after the truncated overwrite: the object holds the previous bytes/,
      ),
      'WIRE-006 [raw]': 'pass: ',
      'INT-001 [builtin]': 'fail: 4 interrupted PutObject bodies were committed',
      'ATOM-001 [builtin]': 'fail: 1 interrupted PutObject body was committed',
      'ATOM-006 [builtin]': 'fail: 1 interrupted PutObject body was committed',
    });
  }, 60_000);

  it('that forgets aborted upload IDs fails the abort scenarios', async () => {
    const statuses = await runBroken('forget-abort', ['MPU-002', 'MPU-003', 'RES-002']);
    expect(statuses).toEqual({
      'MPU-002 [builtin]': expect.stringMatching(
        /^fail: UploadPart after Abort: expected NoSuchUpload, but it succeeded/,
      ),
      'MPU-003 [builtin]': 'pass: ',
      'RES-002 [builtin]': expect.stringMatching(/^fail: exactly one new InitiateMultipartUpload/),
    });
  }, 60_000);
});
