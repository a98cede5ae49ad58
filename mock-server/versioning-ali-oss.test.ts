// Versioned buckets through ali-oss 6.23 (unmodified) against a listening mock, on both stores
// (docs/protocol.md#versioning): Put/GetBucketVersioning, version IDs on every write, reads, copies, tagging and ACL
// by version, delete markers, DeleteMultipleObjects with versions, ListObjectVersions paging; and what the file store
// still has after a restart.
import OSS from 'ali-oss';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../testkit/raw-client.js';
import { startMockOss, type MockOssHandle } from './index.js';
import { rejection } from '../testkit/rejection.js';

function clientOf(mock: MockOssHandle, bucket: string): Loose {
  return new OSS({
    endpoint: mock.endpoint,
    region: 'oss-cn-hangzhou',
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
    bucket,
  } as OSS.Options) as Loose;
}

/** @types/ali-oss leaves out the versioning calls and some results' `res`; the SDK has them. */
type Loose = OSS & Record<string, (...args: unknown[]) => Promise<Record<string, unknown>>>;
const headersOf = (r: unknown) => (r as { res: { headers: Record<string, string> } }).res.headers;
const versionOf = (r: unknown) => headersOf(r)['x-oss-version-id'];
/** `{ versionId }` for the calls whose @types/ali-oss options leave it out. */
const at = (versionId: string | undefined) => ({ versionId }) as never;
const text = (content: unknown) => Buffer.from(content as Buffer).toString('utf8');

interface Listed {
  objects: Array<{ name: string; versionId: string; isLatest: boolean; size: number }>;
  deleteMarker: Array<{ name: string; versionId: string }>;
  prefixes: string[] | null;
  nextMarker: string | null;
  NextVersionIdMarker: string | null;
}

/** ListObjectVersions as `key@versionId` (delete markers as `key@versionId!`), objects first as ali-oss splits them. */
async function listed(client: Loose, query: Record<string, unknown> = {}): Promise<Listed> {
  return (await client.getBucketVersions(query)) as unknown as Listed;
}

const STORES = [{ store: 'memory' }, { store: 'file' }] as const;

describe.each(STORES)('versioning through ali-oss on the $store store', ({ store }) => {
  let mock: MockOssHandle;
  let dir: string | undefined;
  let client: Loose;
  const bucket = `versions-${store}`;

  beforeAll(async () => {
    dir = store === 'file' ? await mkdtemp(join(tmpdir(), 'oss-mock-versions-')) : undefined;
    mock = await startMockOss(dir === undefined ? {} : { dataDir: dir });
    client = clientOf(mock, bucket);
    await client.putBucket(bucket);
  });
  afterAll(async () => {
    await mock.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('a new bucket is unversioned; Enabled and Suspended are kept; anything else is MalformedXML', async () => {
    expect((await client.getBucketVersioning(bucket)).versionStatus).toBeUndefined();
    const plain = await client.put('before', Buffer.from('zero'));
    expect(versionOf(plain)).toBeUndefined();
    await client.putBucketVersioning(bucket, 'Enabled');
    expect((await client.getBucketVersioning(bucket)).versionStatus).toBe('Enabled');
    // the object written before versioning is now the null version of its key
    expect(versionOf(await client.head('before'))).toBe('null');
    expect(text((await client.get('before', undefined, at('null'))).content)).toBe('zero');
  });

  it('Enabled: each write is a version, any version reads back, ListObjects shows only the current ones', async () => {
    const v1 = versionOf(await client.put('doc', Buffer.from('one')));
    const v2 = versionOf(await client.put('doc', Buffer.from('two')));
    expect(v1).toMatch(/^CAEQ/);
    expect(v2).not.toBe(v1);
    expect(text((await client.get('doc')).content)).toBe('two');
    const old = await client.get('doc', undefined, at(v1));
    expect(text(old.content)).toBe('one');
    expect(versionOf(old)).toBe(v1);
    expect(versionOf(await client.head('doc', at(v1)))).toBe(v1);
    expect(versionOf(await client.getObjectMeta('doc', at(v1)))).toBe(v1);
    const page = await listed(client, { prefix: 'doc' });
    expect(page.objects.map((o) => [o.versionId, o.isLatest])).toEqual([
      [v2, true],
      [v1, false],
    ]);
    const current = (await client.list({ prefix: 'doc', 'max-keys': 100 }, {})) as unknown as { objects: unknown[] };
    expect(current.objects).toHaveLength(1);
  });

  it('multipart and append results carry their version; a copy can take an older version as its source', async () => {
    const upload = (await client.initMultipartUpload('mp')) as unknown as { uploadId: string };
    const part = (await client.uploadPart('mp', upload.uploadId, 1, Buffer.from('parts'), 0, 5)) as unknown as {
      etag: string;
    };
    const done = await client.completeMultipartUpload('mp', upload.uploadId, [{ number: 1, etag: part.etag }]);
    const mp = versionOf(done);
    expect(mp).toMatch(/^CAEQ/);
    const appended = await client.append('log', Buffer.from('a'));
    const av = versionOf(appended);
    expect(av).toMatch(/^CAEQ/);
    // later appends change that version in place: no previous version
    expect(versionOf(await client.append('log', Buffer.from('b'), { position: '1' }))).toBe(av);
    expect((await listed(client, { prefix: 'log' })).objects.map((o) => o.versionId)).toEqual([av]);
    // versionId on an append is refused (EC 0016-00000504)
    const refused = await rawOf(mock).request({
      method: 'POST',
      bucket,
      key: 'log',
      query: [
        ['append', undefined],
        ['position', '2'],
        ['versionId', av!],
      ],
      body: Buffer.from('c'),
    });
    expect(refused.status).toBe(400);
    expect(refused.headers['x-oss-ec']).toBe('0016-00000504');

    const first = versionOf(await client.put('src', Buffer.from('first')));
    await client.put('src', Buffer.from('second'));
    const copied = await client.copy('dst', 'src', at(first));
    expect(headersOf(copied)['x-oss-copy-source-version-id']).toBe(first);
    expect(versionOf(copied)).toMatch(/^CAEQ/);
    expect(text((await client.get('dst')).content)).toBe('first');
  });

  it('DeleteObject adds a delete marker; reads answer NoSuchKey or 405; deleting the marker restores the object', async () => {
    const v1 = versionOf(await client.put('gone', Buffer.from('kept')));
    const deleted = await client.delete('gone');
    expect(headersOf(deleted)['x-oss-delete-marker']).toBe('true');
    const marker = versionOf(deleted);
    expect(marker).toMatch(/^CAEQ/);
    const missing = await rejection(client.get('gone'));
    expect([missing.status, missing.code]).toEqual([404, 'NoSuchKey']);
    // the marker itself by version: 405 MethodNotAllowed
    const byVersion = await rejection(client.get('gone', undefined, at(marker)));
    expect([byVersion.status, byVersion.code]).toEqual([405, 'MethodNotAllowed']);
    // the older version is still there
    expect(text((await client.get('gone', undefined, at(v1))).content)).toBe('kept');
    const page = await listed(client, { prefix: 'gone' });
    expect(page.deleteMarker.map((m) => m.versionId)).toEqual([marker]);
    expect(page.objects.map((o) => [o.versionId, o.isLatest])).toEqual([[v1, false]]);
    // deleting the delete marker by version makes v1 current again
    const undone = await client.delete('gone', at(marker));
    expect(headersOf(undone)['x-oss-delete-marker']).toBe('true');
    expect(versionOf(undone)).toBe(marker);
    expect(text((await client.get('gone')).content)).toBe('kept');
  });

  it('bad and unknown version IDs: InvalidArgument, NoSuchVersion', async () => {
    await client.put('ids', Buffer.from('x'));
    const bad = await rejection(client.get('ids', undefined, at('not-a-version')));
    expect([bad.status, bad.code]).toEqual([400, 'InvalidArgument']);
    const unknown = await rejection(client.get('ids', undefined, at(`CAEQ${'A'.repeat(56)}`)));
    expect([unknown.status, unknown.code]).toEqual([404, 'NoSuchVersion']);
    const head = await rejection(client.head('ids', at(`CAEQ${'B'.repeat(56)}`)));
    expect(head.status).toBe(404);
    // deleting a version that is not there is no error
    expect((await client.delete('ids', at(`CAEQ${'C'.repeat(56)}`))).res).toBeDefined();
  });

  it('tagging and ACL address one version', async () => {
    const v1 = versionOf(await client.put('tv', Buffer.from('1'), { headers: { 'x-oss-tagging': 'gen=1' } }));
    const v2 = versionOf(await client.put('tv', Buffer.from('2'), { headers: { 'x-oss-tagging': 'gen=2' } }));
    expect((await client.getObjectTagging('tv', at(v1))).tag).toEqual({ gen: '1' });
    expect((await client.getObjectTagging('tv')).tag).toEqual({ gen: '2' });
    await client.putObjectTagging('tv', { old: 'yes' }, at(v1));
    expect((await client.getObjectTagging('tv', at(v1))).tag).toEqual({ old: 'yes' });
    expect((await client.getObjectTagging('tv', at(v2))).tag).toEqual({ gen: '2' });
    await client.putACL('tv', 'public-read', at(v1));
    expect((await client.getACL('tv', at(v1))).acl).toBe('public-read');
    expect((await client.getACL('tv')).acl).toBe('default');
  });

  it('DeleteMultipleObjects: delete markers without VersionId, versions for good with it', async () => {
    const a1 = versionOf(await client.put('multi/a', Buffer.from('a')));
    const b1 = versionOf(await client.put('multi/b', Buffer.from('b')));
    const first = (await client.deleteMulti(['multi/a', { key: 'multi/b', versionId: b1 }] as never)) as unknown as {
      deleted: Array<Record<string, string>>;
    };
    expect(first.deleted[0]).toMatchObject({ Key: 'multi/a', DeleteMarker: 'true' });
    const markerA = first.deleted[0]!.DeleteMarkerVersionId!;
    expect(markerA).toMatch(/^CAEQ/);
    expect(first.deleted[1]).toEqual({ Key: 'multi/b', VersionId: b1 });
    expect((await listed(client, { prefix: 'multi/' })).objects.map((o) => o.versionId)).toEqual([a1]);
    // removing the marker by version reports it as one
    const second = (await client.deleteMulti([{ key: 'multi/a', versionId: markerA }] as never)) as unknown as {
      deleted: Array<Record<string, string>>;
    };
    expect(second.deleted[0]).toEqual({
      Key: 'multi/a',
      VersionId: markerA,
      DeleteMarker: 'true',
      DeleteMarkerVersionId: markerA,
    });
    expect(text((await client.get('multi/a')).content)).toBe('a');
  });

  it('DeleteMultipleObjects: an empty VersionId is MalformedXML and nothing is deleted', async () => {
    await client.put('multi-empty', Buffer.from('x'));
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>false</Quiet><Object><Key>multi-empty</Key></Object><Object><Key>x</Key><VersionId></VersionId></Object></Delete>';
    const answer = await rawOf(mock).request({
      method: 'POST',
      bucket,
      query: [['delete', undefined]],
      headers: { 'Content-MD5': createHash('md5').update(body).digest('base64'), 'Content-Type': 'application/xml' },
      body: Buffer.from(body),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.toString()).toContain('<Code>MalformedXML</Code>');
    expect(answer.headers['x-oss-ec']).toBe('0016-00000612');
    expect(text((await client.get('multi-empty')).content)).toBe('x');
  });

  it('Suspended: writes and deletes take the null version; earlier versions stay', async () => {
    const kept = versionOf(await client.put('sus', Buffer.from('enabled')));
    await client.putBucketVersioning(bucket, 'Suspended');
    expect((await client.getBucketVersioning(bucket)).versionStatus).toBe('Suspended');
    try {
      expect(versionOf(await client.put('sus', Buffer.from('n1')))).toBe('null');
      expect(versionOf(await client.put('sus', Buffer.from('n2')))).toBe('null');
      expect((await listed(client, { prefix: 'sus' })).objects.map((o) => o.versionId)).toEqual(['null', kept]);
      const deleted = await client.delete('sus');
      expect([headersOf(deleted)['x-oss-delete-marker'], versionOf(deleted)]).toEqual(['true', 'null']);
      const page = await listed(client, { prefix: 'sus' });
      expect(page.deleteMarker.map((m) => m.versionId)).toEqual(['null']);
      expect(page.objects.map((o) => o.versionId)).toEqual([kept]);
    } finally {
      await client.putBucketVersioning(bucket, 'Enabled');
    }
  });

  it('ListObjectVersions pages with key-marker and version-id-marker, and rolls keys up under a delimiter', async () => {
    const other = clientOf(mock, `${bucket}-paging`);
    await other.putBucket(`${bucket}-paging`);
    await other.putBucketVersioning(`${bucket}-paging`, 'Enabled');
    const written: string[] = [];
    for (const key of ['a', 'a', 'a', 'b', 'dir/x', 'dir/y', 'c']) {
      written.push(`${key}@${versionOf(await other.put(key, Buffer.from(key)))}`);
    }
    // every version, newest first within a key, keys in byte order
    const expected = [written[2], written[1], written[0], written[3], written[6], written[4], written[5]];
    const seen: string[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await listed(other, {
        'max-keys': 2,
        ...(keyMarker === undefined ? {} : { keyMarker }),
        ...(versionIdMarker === undefined ? {} : { versionIdMarker }),
      });
      seen.push(...page.objects.map((o) => `${o.name}@${o.versionId}`));
      if (page.nextMarker === null) break;
      keyMarker = page.nextMarker;
      versionIdMarker = page.NextVersionIdMarker ?? undefined;
    }
    expect(seen).toEqual(expected);
    const rolled = await listed(other, { delimiter: '/' });
    expect(rolled.prefixes).toEqual(['dir/']);
    expect(rolled.objects.map((o) => o.name)).toEqual(['a', 'a', 'a', 'b', 'c']);
    // a version-id-marker without a key marker is refused (EC 0012-00000106)
    const bare = await rawOf(mock).request({
      method: 'GET',
      bucket: `${bucket}-paging`,
      query: [
        ['versions', undefined],
        ['version-id-marker', 'null'],
      ],
    });
    expect([bare.status, bare.headers['x-oss-ec']]).toEqual([400, '0012-00000106']);
  });

  it('a bucket with previous versions or delete markers cannot be deleted', async () => {
    const name = `${bucket}-nonempty`;
    const other = clientOf(mock, name);
    await other.putBucket(name);
    await other.putBucketVersioning(name, 'Enabled');
    const v = versionOf(await other.put('k', Buffer.from('x')));
    const marker = versionOf(await other.delete('k'));
    const refused = await rejection(other.deleteBucket(name));
    expect([refused.status, refused.code]).toEqual([409, 'BucketNotEmpty']);
    await other.delete('k', at(v));
    await other.delete('k', at(marker));
    await other.deleteBucket(name);
  });
});

/** A signed request without ali-oss's own checks in the way. */
function rawOf(mock: MockOssHandle): RawClient {
  return new RawClient({
    endpoint: mock.endpoint,
    region: 'cn-hangzhou',
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
  });
}

describe('the file store keeps versions, delete markers and the versioning state across a restart', () => {
  it('finds them all after close and start on the same data dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oss-mock-versions-restart-'));
    const bucket = 'restart-versions';
    try {
      let mock = await startMockOss({ dataDir: dir });
      let client = clientOf(mock, bucket);
      await client.putBucket(bucket);
      await client.put('k', Buffer.from('null one'));
      await client.putBucketVersioning(bucket, 'Enabled');
      const v1 = versionOf(await client.put('k', Buffer.from('one')));
      await client.putObjectTagging('k', { t: '1' }, at(v1));
      const marker = versionOf(await client.delete('k'));
      await mock.close();

      mock = await startMockOss({ dataDir: dir });
      client = clientOf(mock, bucket);
      try {
        expect((await client.getBucketVersioning(bucket)).versionStatus).toBe('Enabled');
        expect((await rejection(client.get('k'))).code).toBe('NoSuchKey');
        expect(text((await client.get('k', undefined, at(v1))).content)).toBe('one');
        expect(text((await client.get('k', undefined, at('null'))).content)).toBe('null one');
        expect((await client.getObjectTagging('k', at(v1))).tag).toEqual({ t: '1' });
        const page = await listed(client);
        expect(page.deleteMarker.map((m) => m.versionId)).toEqual([marker]);
        expect(page.objects.map((o) => o.versionId)).toEqual([v1, 'null']);
      } finally {
        await mock.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
