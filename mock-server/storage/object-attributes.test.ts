// The per-version record beyond the bytes (tags, ACL, storage class, restore state, SSE, symlink target) and the
// bucket ACL, on both stores, and what the file store still has after a restart (and after compaction).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OssError } from '../../protocol/errors.js';
import { FileStore } from './file-store.js';
import type { ObjectHeaders, ObjectMeta, Store } from './store.js';
import { BUCKET, HEADERS, STORE_KINDS, content, expectOssError, put, stage } from './test-support/fixtures.js';

const RICH: ObjectHeaders = {
  ...HEADERS,
  storageClass: 'ColdArchive',
  acl: 'public-read',
  tags: [
    { key: 'k1', value: 'v1' },
    { key: '中文', value: '' },
  ],
  sse: { algorithm: 'KMS', keyId: 'key-1', dataEncryption: 'SM4' },
};

const RESTORE = {
  requestedAt: new Date('2026-01-02T03:04:05Z'),
  readyAt: new Date('2026-01-02T03:04:06Z'),
  expiresAt: new Date('2026-01-03T03:04:06Z'),
  days: 1,
  tier: 'Expedited',
};

describe.each(STORE_KINDS)('$name: object attributes', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, cleanup } = await kind.make());
    await store.open();
    await store.createBucket(BUCKET);
  });

  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('keeps what a write declared, and updateObjectMeta changes tags, ACL and restore state but never the bytes', async () => {
    const written = await store.putObject(BUCKET.name, 'k', await stage(store, 'data'), RICH);
    expect(written).toMatchObject({ storageClass: 'ColdArchive', acl: 'public-read', tags: RICH.tags, sse: RICH.sse });
    const updated = await store.updateObjectMeta(BUCKET.name, 'k', () => ({
      tags: [{ key: 'only', value: 'one' }],
      acl: 'default',
      restore: RESTORE,
    }));
    expect(updated.tags).toEqual([{ key: 'only', value: 'one' }]);
    expect(updated.acl).toBeUndefined();
    expect(updated.restore).toEqual(RESTORE);
    expect(updated).toMatchObject({ etag: written.etag, size: 4, lastModified: written.lastModified, sse: RICH.sse });
    expect(await content(store, 'k')).toBe('data');
    expect(Object.isFrozen(updated.tags)).toBe(true);
    const cleared = await store.updateObjectMeta(BUCKET.name, 'k', () => ({ tags: undefined, restore: undefined }));
    expect(cleared.tags).toBeUndefined();
    expect(cleared.restore).toBeUndefined();
  });

  it('updateObjectMeta: NoSuchKey, NoSuchBucket, and a refusal from the change leaves the version as it was', async () => {
    await expectOssError(
      store.updateObjectMeta(BUCKET.name, 'missing', () => ({})),
      'NoSuchKey',
    );
    await expectOssError(
      store.updateObjectMeta('missing-bucket', 'k', () => ({})),
      'NoSuchBucket',
    );
    await store.putObject(BUCKET.name, 'k', await stage(store, 'x'), RICH);
    await expectOssError(
      store.updateObjectMeta(BUCKET.name, 'k', () => {
        throw new OssError('RestoreAlreadyInProgress');
      }),
      'RestoreAlreadyInProgress',
    );
    expect((await store.headObject(BUCKET.name, 'k')).tags).toEqual(RICH.tags);
  });

  it('a symlink has no bytes, its own headers and its target; overwriting it or being overwritten works as a put', async () => {
    await put(store, 'target', 'hello');
    const link = await store.putSymlink(BUCKET.name, 'link', {
      ...HEADERS,
      userMeta: { a: 'b' },
      symlinkTarget: 'target',
    });
    expect(link).toMatchObject({ objectType: 'Symlink', size: 0, symlinkTarget: 'target', userMeta: { a: 'b' } });
    expect(link.etag).toMatch(/^[0-9A-F]{32}$/);
    await expectOssError(
      store.putSymlink(BUCKET.name, 'link', { ...HEADERS, symlinkTarget: 'x' }, { forbidOverwrite: true }),
      'FileAlreadyExists',
    );
    expect((await store.listObjects(BUCKET.name, {})).map((m) => [m.key, m.objectType])).toEqual([
      ['link', 'Symlink'],
      ['target', 'Normal'],
    ]);
    await put(store, 'link', 'now a file');
    expect(await content(store, 'link')).toBe('now a file');
  });

  it('the bucket ACL can change', async () => {
    expect((await store.setBucketAcl(BUCKET.name, 'public-read')).acl).toBe('public-read');
    expect((await store.getBucket(BUCKET.name))?.acl).toBe('public-read');
    await expectOssError(store.setBucketAcl('missing-bucket', 'private'), 'NoSuchBucket');
  });
});

describe('FileStore: object attributes survive a restart', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'oss-mock-attributes-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function scenario(store: Store): Promise<void> {
    await store.createBucket(BUCKET);
    await store.setBucketAcl(BUCKET.name, 'public-read-write');
    await store.putObject(BUCKET.name, 'k', await stage(store, 'data'), RICH);
    await store.updateObjectMeta(BUCKET.name, 'k', () => ({
      tags: [{ key: 'after', value: 'put' }],
      restore: RESTORE,
    }));
    await store.putSymlink(BUCKET.name, 'link', { ...HEADERS, acl: 'private', symlinkTarget: 'k' });
  }

  function check(meta: ObjectMeta, link: ObjectMeta): void {
    expect(meta).toMatchObject({
      storageClass: 'ColdArchive',
      acl: 'public-read',
      tags: [{ key: 'after', value: 'put' }],
      sse: RICH.sse,
      restore: RESTORE,
    });
    expect(meta.restore?.readyAt).toBeInstanceOf(Date);
    expect(link).toMatchObject({ objectType: 'Symlink', symlinkTarget: 'k', acl: 'private', size: 0 });
  }

  it.each([
    ['replayed from the journal', 1 << 30],
    ['read from a compacted snapshot', 1],
  ])('%s', async (_how, compactAfterBytes) => {
    const dir = join(root, 'data');
    const first = new FileStore(dir, { compactAfterBytes });
    await first.open();
    await scenario(first);
    await first.close();
    const second = new FileStore(dir, { compactAfterBytes });
    await second.open();
    try {
      check(await second.headObject(BUCKET.name, 'k'), await second.headObject(BUCKET.name, 'link'));
      expect((await second.getBucket(BUCKET.name))?.acl).toBe('public-read-write');
      expect(await content(second, 'k')).toBe('data');
    } finally {
      await second.close();
    }
  });
});
