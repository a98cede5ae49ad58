import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinDriver } from './drivers/builtin.js';
import { DriverUnavailableError } from './drivers/driver.js';
import { runConformance } from './runner.js';
import type { RunSummary } from './summary.js';

describe('runConformance', () => {
  it('runs endpoint scenarios once and client scenarios per driver, reports an unavailable driver, writes reports', async () => {
    const reportDir = await mkdtemp(path.join(tmpdir(), 'oss-conformance-report-'));
    const progress: string[] = [];
    const summary = await runConformance({
      drivers: [
        builtinDriver,
        { name: 'missing-sdk', load: async () => Promise.reject(new DriverUnavailableError('not installed')) },
      ],
      filter: ['WIRE-002', 'WIRE-010'],
      reportDir,
      onResult: (r, i, total) => progress.push(`${i}/${total} ${r.scenario} ${r.driver} ${r.status}`),
    });
    expect(progress).toEqual(['1/3 WIRE-002 raw pass', '2/3 WIRE-010 builtin pass', '3/3 WIRE-010 missing-sdk skip']);
    expect(summary.results[2]!.reason).toBe('driver unavailable: not installed');
    expect(summary.drivers).toEqual([
      { name: 'raw', available: true, capabilities: [] },
      expect.objectContaining({ name: 'builtin', available: true }),
      { name: 'missing-sdk', available: false, reason: 'not installed', capabilities: [] },
    ]);
    expect(summary.ok).toBe(false);
    const written = JSON.parse(await readFile(path.join(reportDir, 'results.json'), 'utf8')) as RunSummary;
    expect(written.results.map((r) => r.scenario)).toEqual(['WIRE-002', 'WIRE-010', 'WIRE-010']);
    expect(await readFile(path.join(reportDir, 'junit.xml'), 'utf8')).toContain('<testsuites');
    expect(await readFile(path.join(reportDir, 'report.html'), 'utf8')).toContain('missing-sdk');
    await rm(reportDir, { recursive: true, force: true });
  });

  it('is ok when every applicable scenario passed', async () => {
    const summary = await runConformance({ drivers: ['builtin'], filter: ['WIRE-001', 'INT-006'] });
    expect(summary.totals).toEqual({ pass: 2, fail: 0, skip: 0, 'n-a': 0 });
    expect(summary.ok).toBe(true);
  });

  it('refuses an unknown driver name before starting anything', async () => {
    await expect(runConformance({ drivers: ['nope'] })).rejects.toThrow('unknown driver "nope"');
  });
});
