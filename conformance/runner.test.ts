import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { builtinDriver } from './drivers/builtin.js';
import { DriverUnavailableError, type DriverFactory } from './drivers/driver.js';
import { NothingSelectedError, runConformance } from './runner.js';
import type { RunSummary } from './summary.js';

const missing = (name: string): DriverFactory => ({
  name,
  load: async () => Promise.reject(new DriverUnavailableError('not installed: install it with X')),
});

describe('runConformance', () => {
  it('runs endpoint scenarios once and client scenarios per driver, reports an unavailable driver once, writes reports', async () => {
    const reportDir = await mkdtemp(path.join(tmpdir(), 'oss-conformance-report-'));
    const progress: string[] = [];
    const summary = await runConformance({
      drivers: [builtinDriver, missing('missing-sdk')],
      filter: ['WIRE-002', 'WIRE-010'],
      reportDir,
      onResult: (r, i, total) => progress.push(`${i}/${total} ${r.scenario} ${r.driver} ${r.status}`),
    });
    expect(progress).toEqual(['1/2 WIRE-002 raw pass', '2/2 WIRE-010 builtin pass']);
    expect(summary.drivers).toEqual([
      { name: 'raw', column: 'raw', available: true, required: false, capabilities: [] },
      expect.objectContaining({ name: 'builtin', column: 'builtin', available: true, required: true }),
      {
        name: 'missing-sdk',
        column: 'missing-sdk',
        available: false,
        required: true,
        reason: 'not installed: install it with X',
        capabilities: [],
      },
    ]);
    expect(summary.problems).toEqual(['driver missing-sdk unavailable: not installed: install it with X']);
    expect(summary.ok).toBe(false);
    expect(summary.versions).toMatchObject({ ossMock: expect.any(String), node: process.version });
    const written = JSON.parse(await readFile(path.join(reportDir, 'results.json'), 'utf8')) as RunSummary;
    expect(written.results.map((r) => r.scenario)).toEqual(['WIRE-002', 'WIRE-010']);
    expect(await readFile(path.join(reportDir, 'junit.xml'), 'utf8')).toContain('<testsuites');
    expect(await readFile(path.join(reportDir, 'report.html'), 'utf8')).toContain('missing-sdk');
    expect(await readFile(path.join(reportDir, 'summary.md'), 'utf8')).toContain('| missing-sdk | unavailable');
    await rm(reportDir, { recursive: true, force: true });
  });

  it('is ok when every applicable scenario passed, and records SDK, column and driver logs', async () => {
    const summary = await runConformance({ drivers: ['builtin'], filter: ['WIRE-001', 'INT-006'] });
    expect(summary.totals).toEqual({ pass: 2, fail: 0, 'known-defect': 0, skip: 0, 'n-a': 0 });
    expect(summary.ok).toBe(true);
    expect(summary.results[1]).toMatchObject({ column: 'builtin', sdk: { name: 'oss-mock/client' } });
  });

  it('refuses an unknown driver name and a filter that selects nothing before starting anything', async () => {
    await expect(runConformance({ drivers: ['nope'] })).rejects.toThrow('unknown driver "nope"');
    await expect(runConformance({ drivers: ['builtin@1.0.0'] })).rejects.toThrow('NAME@VERSION is for the SDK drivers');
    await expect(runConformance({ drivers: ['builtin'], filter: ['NOPE'] })).rejects.toThrow(NothingSelectedError);
  });

  it('fails a run in which nothing ran (every scenario not applicable)', async () => {
    const summary = await runConformance({ drivers: ['ali-oss'], filter: ['INT-001'] });
    expect(summary.results.map((r) => r.status)).toEqual(['n-a']);
    expect(summary.problems).toEqual([expect.stringMatching(/^no scenario ran/)]);
    expect(summary.ok).toBe(false);
  });

  it('says what happened when the target is unreachable, and clears the previous report', async () => {
    const reportDir = await mkdtemp(path.join(tmpdir(), 'oss-conformance-report-'));
    await writeFile(path.join(reportDir, 'report.html'), 'the previous run');
    await writeFile(path.join(reportDir, 'mine.txt'), 'not a report file');
    const closed = await closedPort();
    const summary = await runConformance({
      target: `http://127.0.0.1:${closed}`,
      env: { OSS_ACCESS_KEY_ID: 'id', OSS_ACCESS_KEY_SECRET: 'secret', OSS_BUCKET: 'b' },
      drivers: ['builtin'],
      filter: ['WIRE-010'],
      reportDir,
    });
    expect(summary.ok).toBe(false);
    expect(summary.results).toEqual([]);
    expect(summary.problems).toEqual([
      `target http://127.0.0.1:${closed}: cannot reach http://127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}`,
    ]);
    const html = await readFile(path.join(reportDir, 'report.html'), 'utf8');
    expect(html).not.toContain('the previous run');
    expect(html).toContain(`cannot reach http://127.0.0.1:${closed}`);
    expect((await stat(path.join(reportDir, 'mine.txt'))).isFile()).toBe(true);
    await rm(reportDir, { recursive: true, force: true });
  });

  it('runs the drivers once per environment column and the --env-filter scenarios only there', async () => {
    const summary = await runConformance({
      drivers: ['builtin'],
      filter: ['WIRE-010', 'INT-006'],
      envMatrix: [{ TZ: 'UTC' }, { TZ: 'Asia/Shanghai' }],
      envFilter: ['WIRE-010'],
    });
    expect(summary.results.map((r) => `${r.scenario} [${r.column}] ${JSON.stringify(r.env ?? {})}`)).toEqual([
      'INT-006 [builtin] {}',
      'WIRE-010 [builtin] {}',
      'WIRE-010 [builtin TZ=UTC] {"TZ":"UTC"}',
      'WIRE-010 [builtin TZ=Asia/Shanghai] {"TZ":"Asia/Shanghai"}',
    ]);
    expect(summary.drivers.map((d) => d.column)).toEqual(['builtin', 'builtin TZ=UTC', 'builtin TZ=Asia/Shanghai']);
    expect(summary.ok).toBe(true);
  });
});

/** A loopback port nothing listens on (taken from the kernel, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
