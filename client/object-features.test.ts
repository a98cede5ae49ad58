// OssClient's tagging, ACL, symlink and restore calls, and the write options that set tags, ACL and storage class,
// against a listening mock, signed V1 and V4.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from '../mock-server/index.js';
import { OssClient } from './client.js';
import { rejectionOf } from './test-support/raw-server.js';

let oss: MockOssHandle;
beforeAll(async () => {
  oss = await startMockOss({ restoreDelayMs: 0 });
});
afterAll(async () => {
  await oss.close();
});

describe.each(['v1', 'v4'] as const)('object features signed %s', (signatureVersion) => {
  const bucket = `client-features-${signatureVersion}`;
  let c: OssClient;
  beforeAll(async () => {
    c = new OssClient({
      endpoint: oss.endpoint,
      accessKeyId: oss.accessKeyId,
      accessKeySecret: oss.accessKeySecret,
      signatureVersion,
    });
    await c.putBucket({ bucket });
  });
  afterAll(() => c.close());

  it('tags: on put (text, URL-encoded for the wire), replaced, read, counted on HEAD, deleted', async () => {
    await c.putObject({ bucket, key: 'k', body: Buffer.from('x'), tags: { a: '1', '中文 key': 'v/1' } });
    expect((await c.getObjectTagging({ bucket, key: 'k' })).tags).toEqual([
      { key: 'a', value: '1' },
      { key: '中文 key', value: 'v/1' },
    ]);
    expect((await c.headObject({ bucket, key: 'k' })).tagCount).toBe(2);
    await c.putObjectTagging({ bucket, key: 'k', tags: { only: 'one' } });
    expect((await c.getObjectTagging({ bucket, key: 'k' })).tags).toEqual([{ key: 'only', value: 'one' }]);
    expect((await c.deleteObjectTagging({ bucket, key: 'k' })).status).toBe(204);
    expect((await c.getObjectTagging({ bucket, key: 'k' })).tags).toEqual([]);
    await c.copyObject({ bucket, key: 'k2', sourceKey: 'k', taggingDirective: 'REPLACE', tags: { r: '1' } });
    expect((await c.getObjectTagging({ bucket, key: 'k2' })).tags).toEqual([{ key: 'r', value: '1' }]);
    const err = await rejectionOf(c.putObjectTagging({ bucket, key: 'k', tags: { 'bad%': 'x' } }));
    expect([err.status, err.code]).toEqual([400, 'InvalidTag']);
  });

  it('ACL: on put, putObjectAcl, getObjectAcl', async () => {
    await c.putObject({ bucket, key: 'acl', body: Buffer.from('x'), acl: 'public-read' });
    expect((await c.getObjectAcl({ bucket, key: 'acl' })).acl).toBe('public-read');
    await c.putObjectAcl({ bucket, key: 'acl', acl: 'default' });
    const acl = await c.getObjectAcl({ bucket, key: 'acl' });
    expect(acl.acl).toBe('default');
    expect(acl.owner?.id).toMatch(/^\d+$/);
  });

  it('symlinks: putSymlink, getSymlink, reading through the link', async () => {
    await c.putObject({ bucket, key: 'dir/目标', body: Buffer.from('target') });
    await c.putSymlink({ bucket, key: 'link', target: 'dir/目标', meta: { who: 'link' } });
    const link = await c.getSymlink({ bucket, key: 'link' });
    expect(link.target).toBe('dir/目标');
    expect(link.meta).toEqual({ who: 'link' });
    expect(link.objectType).toBe('Symlink');
    expect((await c.getObject({ bucket, key: 'link' })).content.toString()).toBe('target');
    expect((await rejectionOf(c.getSymlink({ bucket, key: 'dir/目标' }))).code).toBe('NotSymlink');
  });

  it('storage class and restore: refused while frozen, restoring reported, restored readable', async () => {
    await c.putObject({ bucket, key: 'cold', body: Buffer.from('cold'), storageClass: 'ColdArchive' });
    const head = await c.headObject({ bucket, key: 'cold' });
    expect(head.storageClass).toBe('ColdArchive');
    expect(head.restore).toBeUndefined();
    expect((await rejectionOf(c.getObject({ bucket, key: 'cold' }))).code).toBe('InvalidObjectState');
    const first = await c.restoreObject({ bucket, key: 'cold', days: 2, tier: 'Bulk' });
    expect([first.status, first.restoring]).toEqual([202, true]);
    expect((await c.headObject({ bucket, key: 'cold' })).restore).toMatch(/^ongoing-request="false"/);
    expect((await c.getObject({ bucket, key: 'cold' })).content.toString()).toBe('cold');
    const again = await c.restoreObject({ bucket, key: 'cold' });
    expect([again.status, again.restoring]).toEqual([200, false]);
    expect((await rejectionOf(c.restoreObject({ bucket, key: 'acl' }))).code).toBe('OperationNotSupported');
  });

  it('reports server-side encryption on HEAD', async () => {
    await c.putObject({
      bucket,
      key: 'sse',
      body: Buffer.from('x'),
      headers: { 'x-oss-server-side-encryption': 'SM4' },
    });
    expect((await c.headObject({ bucket, key: 'sse' })).serverSideEncryption).toBe('SM4');
  });
});
