// Versioned buckets in the store (docs/protocol.md#versioning), on both stores, and what the file store still has
// after a restart (journal replay and compacted snapshot).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from './file-store.js';
import type { ObjectVersion, Store, VersionPage } from './store.js';
import { BUCKET, HEADERS, STORE_KINDS, readAll, content, expectOssError, put, stage } from './test-support/fixtures.js';

/** `key@versionId` (markers as `key@versionId!`) of every entry, and the prefixes as `prefix/`. */
function summary(page: VersionPage): string[] {
  return page.entries.map((e) => {
    if (e.kind === 'prefix') return `${e.prefix}`;
    const v: ObjectVersion = e.version;
    return v.kind === 'object' ? `${v.meta.key}@${v.meta.versionId}` : `${v.marker.key}@${v.marker.versionId}!`;
  });
}

async function allVersions(store: Store): Promise<VersionPage> {
  return store.listObjectVersions(BUCKET.name, { maxKeys: 1000 });
}

describe.each(STORE_KINDS)('$name: versioning', (kind) => {
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

  it('a new bucket is unversioned: no version IDs, one unnamed version per key', async () => {
    expect((await store.getBucket(BUCKET.name))?.versioning).toBeUndefined();
    const meta = await put(store, 'k', 'one');
    expect(meta.versionId).toBeUndefined();
    expect(summary(await allVersions(store))).toEqual(['k@undefined']);
    expect(await content(store, 'k')).toBe('one');
    // the null version is the object; any other well-formed ID names nothing
    expect((await store.headObject(BUCKET.name, 'k', 'null')).etag).toBe(meta.etag);
    await expectOssError(store.headObject(BUCKET.name, 'k', `CAEQ${'x'.repeat(40)}`), 'NoSuchVersion', {
      status: 404,
    });
    await expectOssError(store.headObject(BUCKET.name, 'k', 'IllegalVersion'), 'InvalidArgument');
  });

  it('Enabled: every write is a new version, reads address any of them, the objects before are the null version', async () => {
    const before = await put(store, 'k', 'zero');
    expect((await store.setBucketVersioning(BUCKET.name, 'Enabled')).versioning).toBe('Enabled');
    const v1 = await put(store, 'k', 'one');
    const v2 = await put(store, 'k', 'two');
    expect(v1.versionId).toMatch(/^CAEQ[\w-]{56}$/);
    expect(new Set([v1.versionId, v2.versionId]).size).toBe(2);
    expect(await content(store, 'k')).toBe('two');
    const read = async (versionId: string) =>
      (await readAll((await store.readObject(BUCKET.name, 'k', undefined, versionId)).body)).toString();
    expect([await read(v1.versionId!), await read('null')]).toEqual(['one', 'zero']);
    expect((await store.headObject(BUCKET.name, 'k', 'null')).etag).toBe(before.etag);
    expect((await store.headObject(BUCKET.name, 'k')).versionId).toBe(v2.versionId);
    expect(summary(await allVersions(store))).toEqual([`k@${v2.versionId}`, `k@${v1.versionId}`, 'k@null']);
    const page = await allVersions(store);
    expect(page.entries.map((e) => e.kind === 'version' && e.version.isLatest)).toEqual([true, false, false]);
    // ListObjects sees the current version only
    expect((await store.listObjects(BUCKET.name, {})).map((m) => m.versionId)).toEqual([v2.versionId]);
  });

  it('delete without a version adds a delete marker; deleting the marker restores the object', async () => {
    await store.setBucketVersioning(BUCKET.name, 'Enabled');
    const v1 = await put(store, 'k', 'one');
    const deleted = await store.deleteObject(BUCKET.name, 'k');
    expect(deleted).toMatchObject({ deleteMarker: true, changed: true });
    const marker = deleted.versionId!;
    const gone = await expectOssError(store.headObject(BUCKET.name, 'k'), 'NoSuchKey', {
      headers: { 'x-oss-delete-marker': 'true', 'x-oss-version-id': marker },
    });
    expect(gone.status).toBe(404);
    await expectOssError(store.readObject(BUCKET.name, 'k', undefined, marker), 'MethodNotAllowed', {
      status: 405,
      extra: { ResourceType: 'DeleteMarker' },
      headers: { 'x-oss-delete-marker': 'true', 'x-oss-version-id': marker, Allow: 'DELETE' },
    });
    expect(await store.listObjects(BUCKET.name, {})).toEqual([]);
    expect(summary(await allVersions(store))).toEqual([`k@${marker}!`, `k@${v1.versionId}`]);
    // a second delete adds a second marker
    const again = await store.deleteObject(BUCKET.name, 'k');
    expect(again.versionId).not.toBe(marker);
    expect(await store.deleteObject(BUCKET.name, 'k', { versionId: again.versionId! })).toMatchObject({
      deleteMarker: true,
      changed: true,
    });
    expect(await store.deleteObject(BUCKET.name, 'k', { versionId: marker })).toMatchObject({ deleteMarker: true });
    expect(await content(store, 'k')).toBe('one');
  });

  it('deleting a version for good: the next newest becomes current; an absent version is no error', async () => {
    await store.setBucketVersioning(BUCKET.name, 'Enabled');
    const v1 = await put(store, 'k', 'one');
    const v2 = await put(store, 'k', 'two');
    expect(await store.deleteObject(BUCKET.name, 'k', { versionId: v2.versionId! })).toEqual({
      versionId: v2.versionId,
      deleteMarker: false,
      changed: true,
    });
    expect(await content(store, 'k')).toBe('one');
    expect((await store.deleteObject(BUCKET.name, 'k', { versionId: v2.versionId! })).changed).toBe(false);
    await expectOssError(store.deleteObject(BUCKET.name, 'k', { versionId: '' }), 'InvalidArgument');
    await store.deleteObject(BUCKET.name, 'k', { versionId: v1.versionId! });
    await expectOssError(store.headObject(BUCKET.name, 'k'), 'NoSuchKey');
    expect((await allVersions(store)).entries).toEqual([]);
    // nothing is left, so the bucket can go
    await store.deleteBucket(BUCKET.name);
  });

  it('previous versions and delete markers keep a bucket from being deleted', async () => {
    await store.setBucketVersioning(BUCKET.name, 'Enabled');
    await put(store, 'k', 'one');
    await store.deleteObject(BUCKET.name, 'k');
    await expectOssError(store.deleteBucket(BUCKET.name), 'BucketNotEmpty');
  });

  it('Suspended: writes and deletes use the null version, which they replace; other versions stay', async () => {
    await store.setBucketVersioning(BUCKET.name, 'Enabled');
    const v1 = await put(store, 'k', 'one');
    await store.setBucketVersioning(BUCKET.name, 'Suspended');
    const n1 = await put(store, 'k', 'null one');
    expect(n1.versionId).toBe('null');
    const n2 = await put(store, 'k', 'null two');
    expect(summary(await allVersions(store))).toEqual(['k@null', `k@${v1.versionId}`]);
    expect(await content(store, 'k')).toBe('null two');
    expect(n2.etag).not.toBe(n1.etag);
    const marker = await store.deleteObject(BUCKET.name, 'k');
    expect(marker).toMatchObject({ versionId: 'null', deleteMarker: true });
    expect(summary(await allVersions(store))).toEqual(['k@null!', `k@${v1.versionId}`]);
    await store.setBucketVersioning(BUCKET.name, 'Enabled');
    const v2 = await put(store, 'k', 'two');
    expect(summary(await allVersions(store))).toEqual([`k@${v2.versionId}`, 'k@null!', `k@${v1.versionId}`]);
  });

  it('x-oss-forbid-overwrite has no effect in a versioned bucket', async () => {
    await store.setBucketVersioning(BUCKET.name, 'Enabled');
    await put(store, 'k', 'one');
    const second = await store.putObject(BUCKET.name, 'k', await stage(store, 'two'), HEADERS, {
      forbidOverwrite: true,
    });
    expect(second.versionId).toBeDefined();
  });

  it('an appendable object is one version that grows in place; a put keeps it as a previous version', async () => {
    await store.setBucketVersioning(BUCKET.name, 'Enabled');
    const first = await store.appendObject(BUCKET.name, 'log', 0, await stage(store, 'ab'), HEADERS);
    expect(first.versionId).toMatch(/^CAEQ/);
    const second = await store.appendObject(BUCKET.name, 'log', 2, await stage(store, 'cd'), HEADERS);
    expect(second.versionId).toBe(first.versionId);
    expect(summary(await allVersions(store))).toEqual([`log@${first.versionId}`]);
    expect(await content(store, 'log')).toBe('abcd');
    const v1 = await put(store, 'log', 'replaced');
    await expectOssError(
      store.appendObject(BUCKET.name, 'log', 8, await stage(store, 'x'), HEADERS),
      'ObjectNotAppendable',
    );
    expect(summary(await allVersions(store))).toEqual([`log@${v1.versionId}`, `log@${first.versionId}`]);
    const marker = await store.deleteObject(BUCKET.name, 'log');
    // behind a delete marker the append at 0 makes a new Appendable version (developer-reference/appendobject)
    const fresh = await store.appendObject(BUCKET.name, 'log', 0, await stage(store, 'new'), HEADERS);
    expect(summary(await allVersions(store))).toEqual([
      `log@${fresh.versionId}`,
      `log@${marker.versionId}!`,
      `log@${v1.versionId}`,
      `log@${first.versionId}`,
    ]);
    const old = await store.readObject(BUCKET.name, 'log', undefined, first.versionId);
    expect((await readAll(old.body)).toString()).toBe('abcd');
    // Suspended: the append that creates an object makes the null version
    await store.setBucketVersioning(BUCKET.name, 'Suspended');
    expect((await store.appendObject(BUCKET.name, 'other', 0, await stage(store, 'x'), HEADERS)).versionId).toBe(
      'null',
    );
  });

  it('multipart and symlink versions; tags, ACL and restore state belong to one version', async () => {
    await store.setBucketVersioning(BUCKET.name, 'Enabled');
    const v1 = await put(store, 'k', 'one');
    const upload = await store.initiateUpload(BUCKET.name, 'k', HEADERS);
    const part = await store.putPart(BUCKET.name, 'k', upload.uploadId, 1, await stage(store, 'multi'));
    const v2 = await store.completeUpload(BUCKET.name, 'k', upload.uploadId, [{ partNumber: 1, etag: part.etag }]);
    expect(v2.versionId).toMatch(/^CAEQ/);
    const link = await store.putSymlink(BUCKET.name, 'link', { ...HEADERS, symlinkTarget: 'k' });
    expect(link.versionId).toMatch(/^CAEQ/);
    await store.updateObjectMeta(BUCKET.name, 'k', () => ({ tags: [{ key: 'old', value: '1' }] }), v1.versionId);
    expect((await store.headObject(BUCKET.name, 'k', v1.versionId)).tags).toEqual([{ key: 'old', value: '1' }]);
    expect((await store.headObject(BUCKET.name, 'k')).tags).toBeUndefined();
    const marker = (await store.deleteObject(BUCKET.name, 'k')).versionId!;
    await expectOssError(
      store.updateObjectMeta(BUCKET.name, 'k', () => ({ acl: 'private' }), marker),
      'MethodNotAllowed',
    );
    await expectOssError(
      store.updateObjectMeta(BUCKET.name, 'k', () => ({ acl: 'private' })),
      'NoSuchKey',
    );
  });

  it('ListObjectVersions pages by key and version marker, rolls keys up under a delimiter, filters by prefix', async () => {
    await store.setBucketVersioning(BUCKET.name, 'Enabled');
    const a1 = await put(store, 'a', '1');
    const a2 = await put(store, 'a', '2');
    const b = (await store.deleteObject(BUCKET.name, 'b')).versionId!;
    const d1 = await put(store, 'dir/x', 'x');
    await put(store, 'dir/y', 'y');
    const c = await put(store, 'c', 'c');
    const all = [`a@${a2.versionId}`, `a@${a1.versionId}`, `b@${b}!`, `c@${c.versionId}`, `dir/x@${d1.versionId}`];
    expect(summary(await allVersions(store)).slice(0, 5)).toEqual(all);

    const first = await store.listObjectVersions(BUCKET.name, { maxKeys: 1 });
    expect(summary(first)).toEqual([`a@${a2.versionId}`]);
    expect(first).toMatchObject({ truncated: true, nextKeyMarker: 'a', nextVersionIdMarker: a2.versionId });
    const second = await store.listObjectVersions(BUCKET.name, {
      maxKeys: 2,
      keyMarker: first.nextKeyMarker!,
      versionIdMarker: first.nextVersionIdMarker!,
    });
    expect(summary(second)).toEqual([`a@${a1.versionId}`, `b@${b}!`]);
    // without a version marker the key marker's versions are all skipped
    expect(summary(await store.listObjectVersions(BUCKET.name, { maxKeys: 1, keyMarker: 'a' }))).toEqual([`b@${b}!`]);

    const rolled = await store.listObjectVersions(BUCKET.name, { maxKeys: 4, delimiter: '/' });
    expect(summary(rolled)).toEqual([`a@${a2.versionId}`, `a@${a1.versionId}`, `b@${b}!`, `c@${c.versionId}`]);
    expect(rolled).toMatchObject({ truncated: true, nextKeyMarker: 'c' });
    const rest = await store.listObjectVersions(BUCKET.name, {
      maxKeys: 4,
      delimiter: '/',
      keyMarker: rolled.nextKeyMarker!,
      versionIdMarker: rolled.nextVersionIdMarker!,
    });
    expect(summary(rest)).toEqual(['dir/']);
    expect(rest.truncated).toBe(false);
    expect(summary(await store.listObjectVersions(BUCKET.name, { maxKeys: 10, prefix: 'dir/' }))).toEqual([
      `dir/x@${d1.versionId}`,
      expect.stringMatching(/^dir\/y@CAEQ/),
    ]);
  });
});

describe('FileStore: versions survive a restart', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'oss-mock-versions-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['replayed from the journal', 1 << 30],
    ['read from a compacted snapshot', 1],
  ])('%s', async (_how, compactAfterBytes) => {
    const dir = join(root, 'data');
    const first = new FileStore(dir, { compactAfterBytes });
    await first.open();
    await first.createBucket(BUCKET);
    await put(first, 'k', 'before');
    await first.setBucketVersioning(BUCKET.name, 'Enabled');
    const v1 = await put(first, 'k', 'one');
    const marker = (await first.deleteObject(BUCKET.name, 'k')).versionId!;
    await first.updateObjectMeta(BUCKET.name, 'k', () => ({ tags: [{ key: 't', value: 'v' }] }), v1.versionId);
    await first.setBucketVersioning(BUCKET.name, 'Suspended');
    await put(first, 'n', 'null');
    const expected = summary(await allVersions(first));
    await first.close();

    const second = new FileStore(dir, { compactAfterBytes });
    await second.open();
    try {
      expect((await second.getBucket(BUCKET.name))?.versioning).toBe('Suspended');
      expect(summary(await allVersions(second))).toEqual(expected);
      expect(expected).toEqual([`k@${marker}!`, `k@${v1.versionId}`, 'k@null', 'n@null']);
      await expectOssError(second.headObject(BUCKET.name, 'k'), 'NoSuchKey');
      expect((await second.headObject(BUCKET.name, 'k', v1.versionId)).tags).toEqual([{ key: 't', value: 'v' }]);
      const old = await second.readObject(BUCKET.name, 'k', undefined, 'null');
      expect((await readAll(old.body)).toString()).toBe('before');
      // and the marker can still go, which brings v1 back
      await second.deleteObject(BUCKET.name, 'k', { versionId: marker });
      expect(await content(second, 'k')).toBe('one');
    } finally {
      await second.close();
    }
  });
});
