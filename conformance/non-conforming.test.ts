// Against an endpoint that implements only buckets and simple objects (501 NotImplemented for multipart, append,
// copy, sub-resources and the control API), as some emulators do: every scenario still ends as pass, fail, skip or
// not applicable, the run finishes, and the reports are written.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from '../mock-server/index.js';
import { runConformance } from './runner.js';
import { ALL_SCENARIOS } from './scenarios/index.js';
import { startLimitedEndpoint, type LimitedEndpoint } from './test-support/limited-endpoint.js';

let mock: MockOssHandle;
let limited: LimitedEndpoint;
let reports: string;

beforeAll(async () => {
  mock = await startMockOss();
  limited = await startLimitedEndpoint(mock.endpoint);
  reports = await mkdtemp(path.join(tmpdir(), 'oss-conformance-limited-'));
});
afterAll(async () => {
  await limited?.close();
  await mock?.close();
  if (reports) await rm(reports, { recursive: true, force: true });
});

function limitedEnv(): NodeJS.ProcessEnv {
  return {
    OSS_ENDPOINT: limited.endpoint,
    OSS_ACCESS_KEY_ID: mock.accessKeyId,
    OSS_ACCESS_KEY_SECRET: mock.accessKeySecret,
    OSS_REGION: `oss-${mock.region}`,
  };
}

const STATUSES = ['pass', 'fail', 'skip', 'n-a'];

describe('a target that answers 501 to all but buckets and simple objects', () => {
  it('ends every scenario with a status, finishes the run and writes the reports', async () => {
    // ali-oss gives up on a 501 at once; the builtin client retries every 5xx for 2.1 s as the C++ SDK does
    const summary = await runConformance({
      target: 'external',
      env: limitedEnv(),
      drivers: ['ali-oss'],
      reportDir: reports,
    });
    expect(summary.results.map((r) => r.scenario).sort()).toEqual(ALL_SCENARIOS.map((s) => s.id).sort());
    for (const r of summary.results) expect(STATUSES).toContain(r.status);
    // it really was a non-conforming endpoint: the multipart scenarios fail
    expect(limited.refused).toBeGreaterThan(0);
    expect(summary.results.filter((r) => r.status === 'fail').map((r) => r.scenario)).toContain('MPU-001');
    expect(summary.ok).toBe(false);
    // the run's own bucket could not be emptied of uploads there: said, not thrown
    expect(summary.warnings).toEqual([expect.stringMatching(/^closing the target failed: .*501/)]);
    const written = JSON.parse(await readFile(path.join(reports, 'results.json'), 'utf8')) as { results: unknown[] };
    expect(written.results).toHaveLength(summary.results.length);
    expect(await readFile(path.join(reports, 'junit.xml'), 'utf8')).toContain('<testsuite');
    expect(await readFile(path.join(reports, 'report.html'), 'utf8')).toContain('MPU-001');
  }, 120_000);

  it('the builtin client, whose file bodies and disables the resumable and interrupt scenarios use, ends too', async () => {
    const summary = await runConformance({
      target: 'external',
      env: limitedEnv(),
      drivers: ['builtin'],
      filter: ['RES', 'INT-001', 'INT-005'],
    });
    expect(summary.results.map((r) => r.scenario)).toEqual([
      'INT-001',
      'INT-005',
      'RES-001',
      'RES-002',
      'RES-003',
      'RES-004',
    ]);
    for (const r of summary.results) expect(STATUSES).toContain(r.status);
  }, 120_000);
});
