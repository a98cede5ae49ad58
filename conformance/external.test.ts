// External targets, played by separately started mocks reached only through their URL: one whose control API is
// closed to us (so the suite behaves as against real OSS: x-oss-traffic-limit and client-side progress, skips for
// what needs control), and one whose control API is used over HTTP with a shared OSS_BUCKET.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from '../mock-server/index.js';
import { RawClient, list, text, xmlRoot } from '../testkit/raw-client.js';
import { runConformance } from './runner.js';
import { externalOptionsFromEnv } from './targets/external.js';

function envFor(mock: MockOssHandle, bucket?: string): NodeJS.ProcessEnv {
  return {
    OSS_ENDPOINT: mock.endpoint,
    OSS_ACCESS_KEY_ID: mock.accessKeyId,
    OSS_ACCESS_KEY_SECRET: mock.accessKeySecret,
    OSS_REGION: `oss-${mock.region}`,
    ...(bucket ? { OSS_BUCKET: bucket } : {}),
  };
}

function rawFor(mock: MockOssHandle): RawClient {
  return new RawClient({ ...mock, endpoint: mock.endpoint });
}

describe('external target without the control API (as real OSS)', () => {
  let mock: MockOssHandle;
  beforeAll(async () => {
    mock = await startMockOss({ controlToken: 'not-given-to-the-suite' });
  });
  afterAll(async () => {
    await mock?.close();
  });

  it('interrupts on client-side progress, skips what needs control, and deletes the bucket it created', async () => {
    const summary = await runConformance({
      target: 'external',
      env: envFor(mock),
      drivers: ['builtin'],
      filter: ['INT-001', 'INT-004', 'ATOM-003', 'WIRE-001', 'RES-004', 'ATOM-006'],
    });
    expect(summary.target).toBe(mock.endpoint);
    const noControl = `needs the mock control API, which ${mock.endpoint} does not offer`;
    expect(summary.results.map((r) => [r.scenario, r.status, r.reason ?? ''])).toEqual([
      ['ATOM-003', 'pass', ''],
      ['WIRE-001', 'pass', ''],
      ['INT-001', 'pass', ''],
      ['INT-004', 'skip', noControl],
      ['RES-004', 'skip', noControl],
      // in a versioned bucket of its own, deleted with all its versions afterwards (checked below)
      ['ATOM-006', 'pass', ''],
    ]);
    const service = await rawFor(mock).request({ method: 'GET' });
    const buckets = list(xmlRoot(service.body, 'ListAllMyBucketsResult').Buckets);
    const names = buckets.flatMap((b) => list(b.Bucket).map((x) => text(x, 'Name')));
    expect(names).toEqual([]);
  }, 60_000);

  it('stops and resumes a resumable upload found by polling ListParts, slowed by x-oss-traffic-limit', async () => {
    const summary = await runConformance({
      target: 'external',
      env: envFor(mock),
      drivers: ['builtin', 'ali-oss'],
      filter: ['RES-001', 'RES-002'],
    });
    expect(summary.results.map((r) => [r.scenario, r.driver, r.status, r.reason ?? ''])).toEqual([
      ['RES-001', 'builtin', 'pass', ''],
      ['RES-002', 'builtin', 'pass', ''],
      ['RES-001', 'ali-oss', 'pass', ''],
      ['RES-002', 'ali-oss', 'pass', ''],
    ]);
  }, 60_000);
});

describe('external oss-mock with its control API over HTTP and a shared OSS_BUCKET', () => {
  let mock: MockOssHandle;
  beforeAll(async () => {
    mock = await startMockOss();
    await rawFor(mock).putBucket('shared-bucket');
  });
  afterAll(async () => {
    await mock?.close();
  });

  it('runs the control scenarios through /_mock and leaves nothing under its prefix', async () => {
    const summary = await runConformance({
      target: mock.endpoint,
      env: envFor(mock, 'shared-bucket'),
      drivers: ['builtin'],
      filter: ['INT-001', 'INT-004', 'MPU-002', 'RES-002', 'RES-004', 'ATOM-006'],
    });
    expect(summary.results.map((r) => [r.scenario, r.status, r.reason ?? ''])).toEqual([
      ['INT-001', 'pass', ''],
      ['INT-004', 'pass', ''],
      ['MPU-002', 'pass', ''],
      ['RES-002', 'pass', ''],
      ['RES-004', 'pass', ''],
      ['ATOM-006', 'pass', ''],
    ]);
    const raw = rawFor(mock);
    expect(await raw.listKeys('shared-bucket', '')).toEqual([]);
    expect(await raw.listUploads('shared-bucket', '')).toEqual([]);
    // the shared bucket stays unversioned: ATOM-006 made a bucket of its own, and removed it
    const service = await raw.request({ method: 'GET' });
    const buckets = list(xmlRoot(service.body, 'ListAllMyBucketsResult').Buckets);
    expect(buckets.flatMap((b) => list(b.Bucket).map((x) => text(x, 'Name')))).toEqual(['shared-bucket']);
  }, 60_000);
});

describe('externalOptionsFromEnv', () => {
  it('names every missing variable', () => {
    expect(() => externalOptionsFromEnv({})).toThrow(
      'external target needs OSS_ENDPOINT, OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET',
    );
  });

  it('defaults to https, strips the oss- region prefix, and lets --target override OSS_ENDPOINT', () => {
    const env = {
      OSS_ENDPOINT: 'oss-cn-shanghai.aliyuncs.com',
      OSS_ACCESS_KEY_ID: 'ak',
      OSS_ACCESS_KEY_SECRET: 'sk',
      OSS_REGION: 'oss-cn-shanghai',
      OSS_BUCKET: 'b',
    };
    expect(externalOptionsFromEnv(env)).toEqual({
      endpoint: 'https://oss-cn-shanghai.aliyuncs.com',
      accessKeyId: 'ak',
      accessKeySecret: 'sk',
      region: 'cn-shanghai',
      bucket: 'b',
      controlToken: undefined,
    });
    expect(externalOptionsFromEnv(env, 'http://127.0.0.1:9000').endpoint).toBe('http://127.0.0.1:9000');
  });
});
