// OssClient against a listening mock: versioning state, version ids on its results, reads and deletes by version
// (docs/protocol.md#versioning).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from '../mock-server/index.js';
import { OssClient } from './client.js';
import { rejectionOf } from './test-support/raw-server.js';

let oss: MockOssHandle;
beforeAll(async () => {
  oss = await startMockOss();
});
afterAll(async () => {
  await oss.close();
});

describe.each(['v1', 'v4'] as const)('versioning through OssClient, signed %s', (signatureVersion) => {
  const bucket = `client-versions-${signatureVersion}`;
  let client: OssClient;
  beforeAll(async () => {
    client = new OssClient({
      endpoint: oss.endpoint,
      accessKeyId: oss.accessKeyId,
      accessKeySecret: oss.accessKeySecret,
      signatureVersion,
    });
    await client.putBucket({ bucket });
  });

  it('reads the state, writes versions, reads and deletes them by id', async () => {
    expect((await client.getBucketVersioning({ bucket })).versioning).toBeUndefined();
    const before = await client.putObject({ bucket, key: 'k', body: 'zero' });
    expect(before.versionId).toBeUndefined();
    await client.putBucketVersioning({ bucket, status: 'Enabled' });
    expect((await client.getBucketVersioning({ bucket })).versioning).toBe('Enabled');

    const v1 = (await client.putObject({ bucket, key: 'k', body: 'one' })).versionId!;
    expect(v1).toMatch(/^CAEQ/);
    await client.putObject({ bucket, key: 'k', body: 'two' });
    const old = await client.getObject({ bucket, key: 'k', versionId: v1 });
    expect([old.content.toString(), old.versionId]).toEqual(['one', v1]);
    expect((await client.getObject({ bucket, key: 'k', versionId: 'null' })).content.toString()).toBe('zero');
    expect((await client.headObject({ bucket, key: 'k', versionId: v1 })).versionId).toBe(v1);

    const marker = await client.deleteObject({ bucket, key: 'k' });
    expect(marker.deleteMarker).toBe(true);
    expect(marker.versionId).toMatch(/^CAEQ/);
    expect((await rejectionOf(client.getObject({ bucket, key: 'k' }))).code).toBe('NoSuchKey');
    const gone = await client.deleteObject({ bucket, key: 'k', versionId: marker.versionId! });
    expect([gone.deleteMarker, gone.versionId]).toEqual([true, marker.versionId]);
    expect((await client.getObject({ bucket, key: 'k' })).content.toString()).toBe('two');

    const removed = await client.deleteObject({ bucket, key: 'k', versionId: v1 });
    expect([removed.deleteMarker, removed.versionId]).toEqual([false, v1]);
    expect((await rejectionOf(client.headObject({ bucket, key: 'k', versionId: v1 }))).code).toBe('NoSuchVersion');

    await client.putBucketVersioning({ bucket, status: 'Suspended' });
    expect((await client.putObject({ bucket, key: 'k', body: 'n' })).versionId).toBe('null');
  });
});
