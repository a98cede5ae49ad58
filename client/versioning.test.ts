// OssClient against a listening mock, memory and file store: versioning state, version ids on its results, reads and
// deletes by version, ListObjectVersions and DeleteMultipleObjects with versions (docs/protocol.md#versioning).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from '../mock-server/index.js';
import { OssClient } from './client.js';
import { rejectionOf } from './test-support/raw-server.js';

const mocks: Partial<Record<'memory' | 'file', MockOssHandle>> = {};
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'oss-mock-client-versions-'));
  mocks.memory = await startMockOss();
  mocks.file = await startMockOss({ dataDir });
});
afterAll(async () => {
  await mocks.memory?.close();
  await mocks.file?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const CASES = [
  { store: 'memory', signatureVersion: 'v1' },
  { store: 'memory', signatureVersion: 'v4' },
  { store: 'file', signatureVersion: 'v4' },
] as const;

describe.each(CASES)('versioning through OssClient, $store store, signed $signatureVersion', (c) => {
  const bucket = `client-versions-${c.store}-${c.signatureVersion}`;
  let client: OssClient;
  beforeAll(async () => {
    const oss = mocks[c.store]!;
    client = new OssClient({
      endpoint: oss.endpoint,
      accessKeyId: oss.accessKeyId,
      accessKeySecret: oss.accessKeySecret,
      signatureVersion: c.signatureVersion,
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
  it('lists versions and delete markers page by page (key and version-id markers, prefix, delimiter, max-keys)', async () => {
    const b = `${bucket}-list`;
    await client.putBucket({ bucket: b });
    await client.putBucketVersioning({ bucket: b, status: 'Enabled' });
    // keys that need URL encoding on the wire: the client asks for encoding-type=url and decodes
    const odd = 'dir/sp ace+%\u0001.txt';
    const a1 = (await client.putObject({ bucket: b, key: 'a', body: 'a1' })).versionId!;
    const a2 = (await client.putObject({ bucket: b, key: 'a', body: 'a2' })).versionId!;
    const marker = (await client.deleteObject({ bucket: b, key: 'a' })).versionId!;
    const d1 = (await client.putObject({ bucket: b, key: odd, body: 'd' })).versionId!;
    await client.putObject({ bucket: b, key: 'dir/sub/x', body: 'x' });

    const all = await client.listObjectVersions({ bucket: b });
    expect(all.isTruncated).toBe(false);
    expect(all.deleteMarkers.map((m) => [m.key, m.versionId, m.isLatest])).toEqual([['a', marker, true]]);
    expect(all.versions.map((v) => [v.key, v.versionId, v.isLatest, v.size])).toEqual([
      ['a', a2, false, 2],
      ['a', a1, false, 2],
      [odd, d1, true, 1],
      ['dir/sub/x', expect.stringMatching(/^CAEQ/), true, 1],
    ]);
    expect(all.versions[0]!.etag).toMatch(/^[0-9A-F]{32}$/);

    // max-keys 2: the marker and a2, then a1 after (a, a2), then the rest
    const p1 = await client.listObjectVersions({ bucket: b, maxKeys: 2 });
    expect(p1).toMatchObject({ isTruncated: true, nextKeyMarker: 'a', nextVersionIdMarker: a2, maxKeys: 2 });
    const p2 = await client.listObjectVersions({
      bucket: b,
      maxKeys: 2,
      keyMarker: p1.nextKeyMarker!,
      versionIdMarker: p1.nextVersionIdMarker!,
    });
    expect(p2.versions.map((v) => [v.key, v.versionId])).toEqual([
      ['a', a1],
      [odd, d1],
    ]);
    expect(p2).toMatchObject({ keyMarker: 'a', versionIdMarker: a2, isTruncated: true, nextKeyMarker: odd });

    const rolled = await client.listObjectVersions({ bucket: b, prefix: 'dir/', delimiter: '/' });
    expect(rolled).toMatchObject({ prefix: 'dir/', delimiter: '/', commonPrefixes: ['dir/sub/'] });
    expect(rolled.versions.map((v) => v.key)).toEqual([odd]);
    await expect(client.listObjectVersions({ bucket: b, versionIdMarker: a1 })).rejects.toThrow(/keyMarker/);
  });

  it('deletes many objects by version: markers added, versions and markers removed, named in the answer', async () => {
    const b = `${bucket}-multi`;
    await client.putBucket({ bucket: b });
    await client.putBucketVersioning({ bucket: b, status: 'Enabled' });
    const x1 = (await client.putObject({ bucket: b, key: 'x', body: 'x1' })).versionId!;
    const x2 = (await client.putObject({ bucket: b, key: 'x', body: 'x2' })).versionId!;
    const yMarker = (await client.deleteObject({ bucket: b, key: 'y' })).versionId!;

    const r = await client.deleteObjects({
      bucket: b,
      keys: ['z', { key: 'x', versionId: x2 }, { key: 'y', versionId: yMarker }],
    });
    expect(r.deleted).toEqual(['z', 'x', 'y']);
    expect(r.deletedObjects).toEqual([
      { key: 'z', deleteMarker: true, deleteMarkerVersionId: expect.stringMatching(/^CAEQ/) },
      { key: 'x', versionId: x2, deleteMarker: false },
      { key: 'y', versionId: yMarker, deleteMarker: true, deleteMarkerVersionId: yMarker },
    ]);
    // x2 went for good, so x1 is current again; y's only marker is gone; z has a marker now
    const after = await client.listObjectVersions({ bucket: b });
    expect(after.versions.map((v) => [v.key, v.versionId, v.isLatest])).toEqual([['x', x1, true]]);
    expect(after.deleteMarkers.map((m) => [m.key, m.versionId])).toEqual([
      ['z', r.deletedObjects[0]!.deleteMarkerVersionId],
    ]);
    expect((await client.getObject({ bucket: b, key: 'x' })).content.toString()).toBe('x1');
    await expect(client.deleteObjects({ bucket: b, keys: [{ key: 'x', versionId: '' }] })).rejects.toThrow(/empty/);
    expect(
      (await client.deleteObjects({ bucket: b, keys: [{ key: 'x', versionId: x1 }], quiet: true })).deletedObjects,
    ).toEqual([]);
    expect((await client.listObjectVersions({ bucket: b })).versions).toEqual([]);
  });
});
