// GET /_mock/health through a listening server on both stores: version, uptime, store kind and data dir, and the
// counts of buckets, objects and open multipart uploads (README "control API"; mock-server/control/types.ts).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OssClient } from '../../client/index.js';
import { startMockOss, type MockOssHandle } from '../index.js';
import type { HealthInfo } from './types.js';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function health(mock: MockOssHandle): Promise<HealthInfo> {
  const res = await fetch(`${mock.endpoint}/_mock/health`);
  expect(res.status).toBe(200);
  return (await res.json()) as HealthInfo;
}

/** Two buckets; three objects, one of them deleted; two uploads initiated, one aborted. */
async function populate(mock: MockOssHandle): Promise<void> {
  const client = new OssClient({
    endpoint: mock.endpoint,
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
  });
  await client.putBucket({ bucket: 'health-one' });
  await client.putBucket({ bucket: 'health-two' });
  for (const key of ['a', 'b', 'c']) await client.putObject({ bucket: 'health-one', key, body: Buffer.from(key) });
  await client.deleteObject({ bucket: 'health-one', key: 'c' });
  await client.putObject({ bucket: 'health-two', key: 'd', body: Buffer.from('d') });
  const open = await client.initiateMultipartUpload({ bucket: 'health-two', key: 'big' });
  const aborted = await client.initiateMultipartUpload({ bucket: 'health-two', key: 'gone' });
  await client.abortMultipartUpload({ bucket: 'health-two', key: 'gone', uploadId: aborted.uploadId });
  expect(open.uploadId).not.toBe('');
}

describe('GET /_mock/health', () => {
  it('memory store: version, uptime, store kind, counts; reset empties the counts', async () => {
    const mock = await startMockOss();
    try {
      const empty = await health(mock);
      expect(empty).toMatchObject({
        status: 'ok',
        version: packageVersion,
        store: 'memory',
        buckets: 0,
        objects: 0,
        uploads: 0,
        rules: 0,
        inflight: 0,
      });
      expect(empty).not.toHaveProperty('dataDir');
      expect(Number.isInteger(empty.uptimeSeconds) && empty.uptimeSeconds >= 0).toBe(true);
      await populate(mock);
      expect(await health(mock)).toMatchObject({ buckets: 2, objects: 3, uploads: 1 });
      // the in-process control answers the same
      expect(mock.control.health()).toMatchObject({ buckets: 2, objects: 3, uploads: 1, store: 'memory' });
      expect((await fetch(`${mock.endpoint}/_mock/reset`, { method: 'POST' })).status).toBe(200);
      expect(await health(mock)).toMatchObject({ buckets: 0, objects: 0, uploads: 0 });
    } finally {
      await mock.close();
    }
  });

  it('file store: the data dir as an absolute path, and the counts after a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oss-mock-health-'));
    dirs.push(dir);
    const first = await startMockOss({ dataDir: dir });
    try {
      await populate(first);
      expect(await health(first)).toMatchObject({ store: 'file', dataDir: dir, buckets: 2, objects: 3, uploads: 1 });
    } finally {
      await first.close();
    }
    const second = await startMockOss({ dataDir: dir });
    try {
      expect(await health(second)).toMatchObject({
        version: packageVersion,
        store: 'file',
        dataDir: dir,
        buckets: 2,
        objects: 3,
        uploads: 1,
      });
    } finally {
      await second.close();
    }
  });

  it('a versioned bucket counts each key once, and not a key whose current version is a delete marker', async () => {
    const mock = await startMockOss();
    try {
      const client = new OssClient({
        endpoint: mock.endpoint,
        accessKeyId: mock.accessKeyId,
        accessKeySecret: mock.accessKeySecret,
      });
      await client.putBucket({ bucket: 'health-versions' });
      await client.putBucketVersioning({ bucket: 'health-versions', status: 'Enabled' });
      for (const body of ['1', '2', '3'])
        await client.putObject({ bucket: 'health-versions', key: 'k', body: Buffer.from(body) });
      await client.putObject({ bucket: 'health-versions', key: 'marked', body: Buffer.from('x') });
      await client.deleteObject({ bucket: 'health-versions', key: 'marked' });
      expect(await health(mock)).toMatchObject({ buckets: 1, objects: 1 });
    } finally {
      await mock.close();
    }
  });
});
