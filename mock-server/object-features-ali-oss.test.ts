// ali-oss 6.23 (unmodified) against a listening mock, on both stores: object tagging, object and bucket ACLs, symlinks,
// storage classes and restore, server-side encryption headers; and what the file store still has after a restart.
import OSS from 'ali-oss';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from './index.js';
import { rejection } from '../testkit/rejection.js';

function clientOf(mock: MockOssHandle, bucket: string, authorizationV4 = false): OSS {
  return new OSS({
    endpoint: mock.endpoint,
    region: 'oss-cn-hangzhou',
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
    authorizationV4,
    bucket,
  } as OSS.Options);
}

/** @types/ali-oss leaves out some results' `res` and some calls; the SDK has them. */
type Loose = OSS & Record<string, (...args: unknown[]) => Promise<Record<string, unknown>>>;
const headersOf = (r: unknown) => (r as { res: { headers: Record<string, string> } }).res.headers;
const statusOf = (r: unknown) => (r as { res: { status: number } }).res.status;
const text = (content: unknown) => Buffer.from(content as Buffer).toString('utf8');

const STORES = [{ store: 'memory' }, { store: 'file' }] as const;

describe.each(STORES)('ali-oss on the $store store', ({ store }) => {
  let mock: MockOssHandle;
  let dir: string | undefined;
  let client: Loose;
  const bucket = `features-${store}`;

  beforeAll(async () => {
    dir = store === 'file' ? await mkdtemp(join(tmpdir(), 'oss-mock-features-')) : undefined;
    mock = await startMockOss({ restoreDelayMs: 60_000, ...(dir === undefined ? {} : { dataDir: dir }) });
    client = clientOf(mock, bucket) as Loose;
    await client.putBucket(bucket);
  });
  afterAll(async () => {
    await mock.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('tagging: x-oss-tagging on put, get/put/deleteObjectTagging, the count on head, copy with Replace', async () => {
    await client.put('tagged', Buffer.from('x'), { headers: { 'x-oss-tagging': 'a=1&b=2' } });
    expect((await client.getObjectTagging('tagged')).tag).toEqual({ a: '1', b: '2' });
    expect(headersOf(await client.head('tagged'))['x-oss-tagging-count']).toBe('2');
    expect((await client.putObjectTagging('tagged', { k1: 'v1', 'a:b': 'c/d e' })).status).toBe(200);
    expect((await client.getObjectTagging('tagged')).tag).toEqual({ k1: 'v1', 'a:b': 'c/d e' });
    await client.copy('tagged-copy', 'tagged');
    expect((await client.getObjectTagging('tagged-copy')).tag).toEqual({ k1: 'v1', 'a:b': 'c/d e' });
    await client.copy('tagged-replaced', 'tagged', {
      headers: { 'x-oss-tagging-directive': 'Replace', 'x-oss-tagging': 'r=1' },
    });
    expect((await client.getObjectTagging('tagged-replaced')).tag).toEqual({ r: '1' });
    expect((await client.deleteObjectTagging('tagged')).status).toBe(204);
    expect((await client.getObjectTagging('tagged')).tag).toEqual({});
    const tooMany = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    // ali-oss refuses 11 tags itself; the header form reaches the server
    await expect(client.putObjectTagging('tagged', tooMany)).rejects.toThrow(/maximum of 10 tags/);
    const err = await rejection(
      client.put('over', Buffer.from('x'), {
        headers: {
          'x-oss-tagging': Object.keys(tooMany)
            .map((k) => `${k}=v`)
            .join('&'),
        },
      }),
    );
    expect([err.status, err.code]).toEqual([400, 'InvalidTag']);
  });

  it('ACL: x-oss-object-acl on put, putACL/getACL, putBucketACL/getBucketACL', async () => {
    await client.put('acl', Buffer.from('x'), { headers: { 'x-oss-object-acl': 'public-read' } });
    expect((await client.getACL('acl')).acl).toBe('public-read');
    await client.putACL('acl', 'private');
    expect((await client.getACL('acl')).acl).toBe('private');
    await client.put('acl-default', Buffer.from('x'));
    expect((await client.getACL('acl-default')).acl).toBe('default');
    await client.putBucketACL(bucket, 'public-read');
    expect((await client.getBucketACL(bucket)).acl).toBe('public-read');
    await client.putBucketACL(bucket, 'private');
  });

  it('symlinks: putSymlink, getSymlink, get and head through the link, the link’s own metadata, a dangling link', async () => {
    await client.put('dir/target.txt', Buffer.from('target body'), { mime: 'text/plain' });
    await client.putSymlink('link', 'dir/target.txt', { meta: { who: 'link' } } as never);
    expect((await client.getSymlink('link')).targetName).toBe('dir/target.txt');
    const got = await client.get('link');
    expect(text(got.content)).toBe('target body');
    const head = await client.head('link');
    expect(head.meta).toMatchObject({ who: 'link' });
    expect(headersOf(head)['x-oss-object-type']).toBe('Symlink');
    expect(headersOf(head)['content-length']).toBe('11');
    await client.putSymlink('dangling', 'nothing-here');
    const err = await rejection(client.get('dangling'));
    expect([err.status, err.code]).toEqual([404, 'SymlinkTargetNotExist']);
    const notLink = await rejection(client.getSymlink('dir/target.txt'));
    expect([notLink.status, notLink.code]).toEqual([400, 'NotSymlink']);
  });

  it('storage classes and restore: Archive reported by head and list, GET refused, restore 202 then 409, then readable', async () => {
    await client.put('archived', Buffer.from('cold bytes'), { headers: { 'x-oss-storage-class': 'Archive' } });
    expect(headersOf(await client.head('archived'))['x-oss-storage-class']).toBe('Archive');
    const listed = (await client.listV2({ prefix: 'archived' })).objects;
    expect(listed[0]).toMatchObject({ name: 'archived', storageClass: 'Archive' });
    const frozen = await rejection(client.get('archived'));
    expect([frozen.status, frozen.code]).toEqual([403, 'InvalidObjectState']);
    expect(statusOf(await client.restore('archived'))).toBe(202);
    const again = await rejection(client.restore('archived'));
    expect([again.status, again.code]).toEqual([409, 'RestoreAlreadyInProgress']);
    expect(headersOf(await client.head('archived'))['x-oss-restore']).toBe('ongoing-request="true"');
    expect((await client.listV2({ prefix: 'archived' })).objects[0]).toMatchObject({
      restoreInfo: { ongoingRequest: true },
    });
    // a ColdArchive object with a tier, restored at once
    mock.control.setRestoreDelay({ restoreDelayMs: 0 });
    try {
      await client.put('cold', Buffer.from('colder'), { headers: { 'x-oss-storage-class': 'ColdArchive' } });
      await client.restore('cold', { type: 'ColdArchive', Days: 3, JobParameters: 'Expedited' } as never);
      expect(headersOf(await client.head('cold'))['x-oss-restore']).toMatch(/^ongoing-request="false", expiry-date="/);
      expect(text((await client.get('cold')).content)).toBe('colder');
    } finally {
      mock.control.setRestoreDelay({ restoreDelayMs: 60_000 });
    }
    const standard = await rejection(client.restore('acl'));
    expect([standard.status, standard.code]).toEqual([400, 'OperationNotSupported']);
  });

  it('server-side encryption headers are answered and replayed', async () => {
    const put = await client.put('sse', Buffer.from('x'), {
      headers: { 'x-oss-server-side-encryption': 'KMS', 'x-oss-server-side-encryption-key-id': 'k-1' },
    });
    expect(headersOf(put)['x-oss-server-side-encryption']).toBe('KMS');
    expect(headersOf(await client.head('sse'))).toMatchObject({
      'x-oss-server-side-encryption': 'KMS',
      'x-oss-server-side-encryption-key-id': 'k-1',
    });
  });

  it('V4 signatures carry the same features', async () => {
    const v4 = clientOf(mock, bucket, true) as Loose;
    await v4.putObjectTagging('acl', { v4: 'yes' });
    expect((await v4.getObjectTagging('acl')).tag).toEqual({ v4: 'yes' });
    await v4.putACL('acl', 'public-read-write');
    expect((await v4.getACL('acl')).acl).toBe('public-read-write');
    expect((await v4.getSymlink('link')).targetName).toBe('dir/target.txt');
  });
});

describe('the file store keeps tags, ACLs, symlinks, storage class, restore state and SSE across a restart', () => {
  it('finds them all after close and start on the same data dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oss-mock-features-restart-'));
    const bucket = 'restart-bucket';
    try {
      let mock = await startMockOss({ dataDir: dir, restoreDelayMs: 0 });
      let client = clientOf(mock, bucket) as Loose;
      await client.putBucket(bucket);
      await client.putBucketACL(bucket, 'public-read');
      await client.put('k', Buffer.from('kept'), {
        headers: {
          'x-oss-tagging': 'a=1',
          'x-oss-object-acl': 'private',
          'x-oss-storage-class': 'Archive',
          'x-oss-server-side-encryption': 'AES256',
        },
      });
      await client.putObjectTagging('k', { b: '2' });
      await client.restore('k');
      await client.putSymlink('link', 'k');
      await mock.close();

      mock = await startMockOss({ dataDir: dir });
      try {
        client = clientOf(mock, bucket) as Loose;
        expect((await client.getObjectTagging('k')).tag).toEqual({ b: '2' });
        expect((await client.getACL('k')).acl).toBe('private');
        expect((await client.getBucketACL(bucket)).acl).toBe('public-read');
        expect(headersOf(await client.head('k'))).toMatchObject({
          'x-oss-storage-class': 'Archive',
          'x-oss-server-side-encryption': 'AES256',
          'x-oss-restore': expect.stringMatching(/^ongoing-request="false"/),
        });
        expect((await client.getSymlink('link')).targetName).toBe('k');
        expect(text((await client.get('link')).content)).toBe('kept');
      } finally {
        await mock.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
