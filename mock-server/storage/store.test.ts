// The Store contract, run on both implementations (docs/protocol.md#multipart, docs/protocol.md#putobject,
// docs/protocol.md#appendobject, docs/protocol.md#bucket-operations, docs/protocol.md#limits).

import { ecOf } from '../../protocol/errors.js';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crc64 } from '../../protocol/crc64.js';
import { md5Hex, multipartEtag } from '../../protocol/etag.js';
import { MIN_PART_SIZE } from './limits.js';
import { FINISHED_UPLOADS_KEPT } from './state.js';
import type { Store } from './store.js';
import {
  BUCKET,
  HEADERS,
  STORE_KINDS,
  bytes,
  content,
  digestOf,
  expectBytes,
  expectOssError,
  put,
  readAll,
  stage,
} from './test-support/fixtures.js';

describe.each(STORE_KINDS)('$name', (kind) => {
  let store: Store;
  let dir: string | undefined;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, dir, cleanup } = await kind.make());
    await store.open();
    await store.createBucket(BUCKET);
  });

  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  /** Files the file store holds for bodies (staging and committed); [] for the memory store. */
  async function bodyFiles(): Promise<string[]> {
    if (!dir) return [];
    const staging = (await readdir(join(dir, 'staging'))).map((f) => `staging/${f}`);
    const blobs = (await readdir(join(dir, 'blobs'))).map((f) => `blobs/${f}`);
    return [...staging, ...blobs];
  }

  describe('buckets', () => {
    it('creates, lists and finds buckets', async () => {
      const info = await store.createBucket({ ...BUCKET, name: 'other-bucket' });
      expect(info.creationDate.getMilliseconds()).toBe(0);
      expect((await store.listBuckets()).map((b) => b.name)).toEqual(['other-bucket', 'test-bucket']);
      expect(await store.getBucket('other-bucket')).toEqual(info);
      expect(await store.getBucket('missing')).toBeUndefined();
    });

    it('re-creating with the same settings returns the existing bucket; other settings conflict', async () => {
      const first = await store.getBucket(BUCKET.name);
      expect(await store.createBucket(BUCKET)).toEqual(first);
      await expectOssError(store.createBucket({ ...BUCKET, storageClass: 'IA' }), 'BucketAlreadyExists', {
        status: 409,
        extra: { BucketName: BUCKET.name },
      });
    });

    it('refuses the 101st bucket', async () => {
      for (let i = 1; i < 100; i++) await store.createBucket({ ...BUCKET, name: `bucket-${i}` });
      await expectOssError(store.createBucket({ ...BUCKET, name: 'bucket-100' }), 'TooManyBuckets', { status: 400 });
      expect(await store.listBuckets()).toHaveLength(100);
    });

    it('deleteBucket: NoSuchBucket, BucketNotEmpty for objects and for open uploads', async () => {
      await expectOssError(store.deleteBucket('missing'), 'NoSuchBucket', { extra: { BucketName: 'missing' } });
      await put(store, 'k', 'x');
      await expectOssError(store.deleteBucket(BUCKET.name), 'BucketNotEmpty', { status: 409 });
      await store.deleteObject(BUCKET.name, 'k');
      const upload = await store.initiateUpload(BUCKET.name, 'k', HEADERS);
      await expectOssError(store.deleteBucket(BUCKET.name), 'BucketNotEmpty', { extra: { BucketName: BUCKET.name } });
      await store.abortUpload(BUCKET.name, 'k', upload.uploadId);
      await store.deleteBucket(BUCKET.name);
      expect(await store.getBucket(BUCKET.name)).toBeUndefined();
    });
  });

  describe('objects', () => {
    it('putObject: MD5 ETag, Content-MD5, CRC-64, whole-second time, headers', async () => {
      const data = bytes(1000);
      const headers = { ...HEADERS, contentType: 'text/plain', userMeta: { color: 'red' } };
      const meta = await store.putObject(BUCKET.name, 'dir/file', await stage(store, data), headers);
      const digest = await digestOf(data);
      expect(meta).toMatchObject({
        bucket: BUCKET.name,
        key: 'dir/file',
        size: 1000,
        etag: md5Hex(digest.md5),
        contentMd5: digest.md5.toString('base64'),
        crc64: await crc64(data),
        objectType: 'Normal',
        contentType: 'text/plain',
        userMeta: { color: 'red' },
      });
      expect(meta.lastModified.getMilliseconds()).toBe(0);
      expect(await store.headObject(BUCKET.name, 'dir/file')).toEqual(meta);
      expectBytes(await readAll((await store.readObject(BUCKET.name, 'dir/file')).body), data);
    });

    it('an empty object has the documented ETag and CRC 0 (docs/protocol.md#etags, docs/protocol.md#crc-64)', async () => {
      const meta = await put(store, 'empty', '');
      expect(meta.etag).toBe('D41D8CD98F00B204E9800998ECF8427E');
      expect(meta.crc64).toBe(0n);
      expect(await content(store, 'empty')).toBe('');
    });

    it('reads a byte range and refuses an unsatisfiable one', async () => {
      await put(store, 'k', '0123456789');
      const { body } = await store.readObject(BUCKET.name, 'k', { start: 2, end: 5 });
      expect((await readAll(body)).toString()).toBe('2345');
      await expectOssError(store.readObject(BUCKET.name, 'k', { start: 5, end: 10 }), 'InvalidRange');
    });

    it('NoSuchKey carries Key, NoSuchBucket carries BucketName', async () => {
      await expectOssError(store.headObject(BUCKET.name, 'nope'), 'NoSuchKey', {
        status: 404,
        extra: { Key: 'nope' },
      });
      await expectOssError(store.readObject(BUCKET.name, 'nope'), 'NoSuchKey');
      await expectOssError(store.headObject('missing', 'k'), 'NoSuchBucket', { extra: { BucketName: 'missing' } });
      await expectOssError(put(store, 'k', 'x', 'missing'), 'NoSuchBucket');
      await expectOssError(store.listObjects('missing', {}), 'NoSuchBucket');
    });

    it('a staged body is invisible until committed; the old version is read until then', async () => {
      await put(store, 'k', 'old');
      const staged = await stage(store, 'new');
      expect(await content(store, 'k')).toBe('old');
      await store.putObject(BUCKET.name, 'k', staged, HEADERS);
      expect(await content(store, 'k')).toBe('new');
    });

    it('a reader of the old version reads it to the end across an overwrite and a delete', async () => {
      const old = bytes(300_000, 1);
      await put(store, 'k', old);
      const { body } = await store.readObject(BUCKET.name, 'k');
      const iterator = body[Symbol.asyncIterator]();
      const first = (await iterator.next()).value as Buffer;
      await put(store, 'k', bytes(10, 2));
      await store.deleteObject(BUCKET.name, 'k');
      await put(store, 'k', bytes(20, 3));
      const rest: Buffer[] = [first];
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value as Buffer);
      expectBytes(Buffer.concat(rest), old);
      expectBytes(await readAll((await store.readObject(BUCKET.name, 'k')).body), bytes(20, 3));
    });

    it('discard leaves nothing, and is a no-op after a commit', async () => {
      const body = await store.createStagedBody();
      await body.write(Buffer.from('partial'));
      await body.discard();
      await body.discard();
      await expect(body.write(Buffer.from('more'))).rejects.toThrow();
      expect(await store.listObjects(BUCKET.name, {})).toEqual([]);
      expect(await bodyFiles()).toEqual([]);

      const committed = await stage(store, 'kept');
      await store.putObject(BUCKET.name, 'k', committed, HEADERS);
      await committed.discard();
      expect(await content(store, 'k')).toBe('kept');
    });

    it('refuses to commit an unsealed, a reused or a foreign body', async () => {
      const unsealed = await store.createStagedBody();
      await unsealed.write(Buffer.from('abc'));
      await expect(store.putObject(BUCKET.name, 'k', unsealed, HEADERS)).rejects.toThrow(/open body/);
      await unsealed.discard();

      const once = await stage(store, 'abc');
      await store.putObject(BUCKET.name, 'k', once, HEADERS);
      await expect(store.putObject(BUCKET.name, 'k2', once, HEADERS)).rejects.toThrow(/claimed body/);

      const { store: other, cleanup: cleanupOther } = await kind.make();
      await other.open();
      const foreign = await stage(other, 'abc');
      await expect(store.putObject(BUCKET.name, 'k3', foreign, HEADERS)).rejects.toThrow(TypeError);
      await foreign.discard();
      await other.close();
      await cleanupOther();
    });

    it('seal refuses a digest whose size differs from the bytes written', async () => {
      const body = await store.createStagedBody();
      await body.write(Buffer.from('abc'));
      expect(body.bytesWritten).toBe(3);
      await expect(body.seal(await digestOf(Buffer.from('abcd')))).rejects.toThrow(/size 4 but 3/);
      await body.discard();
      expect(await bodyFiles()).toEqual([]);
    });

    it('forbidOverwrite: FileAlreadyExists, the object and its files unchanged', async () => {
      await put(store, 'k', 'old');
      const before = await bodyFiles();
      const err = store.putObject(BUCKET.name, 'k', await stage(store, 'new'), HEADERS, { forbidOverwrite: true });
      await expectOssError(err, 'FileAlreadyExists', { status: 409 });
      expect(await content(store, 'k')).toBe('old');
      expect(await bodyFiles()).toEqual(before);
      await store.putObject(BUCKET.name, 'fresh', await stage(store, 'x'), HEADERS, { forbidOverwrite: true });
    });

    it('deleteObject reports whether something was deleted', async () => {
      await put(store, 'k', 'x');
      expect((await store.deleteObject(BUCKET.name, 'k')).changed).toBe(true);
      expect((await store.deleteObject(BUCKET.name, 'k')).changed).toBe(false);
      await expectOssError(store.headObject(BUCKET.name, 'k'), 'NoSuchKey');
      expect(await bodyFiles()).toEqual([]);
    });

    it('committed metadata cannot be changed through the returned objects', async () => {
      const headers = { ...HEADERS, userMeta: { a: '1' } };
      const meta = await store.putObject(BUCKET.name, 'k', await stage(store, 'x'), headers);
      headers.userMeta.a = '2';
      expect(() => {
        (meta.userMeta as Record<string, string>).a = '3';
      }).toThrow(TypeError);
      expect((await store.headObject(BUCKET.name, 'k')).userMeta).toEqual({ a: '1' });
    });
  });

  describe('appendObject', () => {
    it('creates at 0, appends at the length; CRC is the whole object CRC; headers from the first append', async () => {
      const first = await store.appendObject(BUCKET.name, 'log', 0, await stage(store, 'hello '), {
        ...HEADERS,
        contentType: 'text/plain',
      });
      expect(first).toMatchObject({ size: 6, objectType: 'Appendable', crc64: await crc64('hello ') });
      expect(first.contentMd5).toBeUndefined();
      const second = await store.appendObject(BUCKET.name, 'log', 6, await stage(store, 'world'), {
        ...HEADERS,
        contentType: 'application/json',
      });
      expect(second).toMatchObject({ size: 11, contentType: 'text/plain', crc64: await crc64('hello world') });
      expect(second.etag).toMatch(/^[0-9A-F]{32}$/);
      expect(second.etag).not.toBe(first.etag);
      expect(await content(store, 'log')).toBe('hello world');
      const { body } = await store.readObject(BUCKET.name, 'log', { start: 4, end: 7 });
      expect((await readAll(body)).toString()).toBe('o wo');
      // docs/protocol.md#crc-64: "abc" appended in pieces has the documented CRC of "abc"
      await store.appendObject(BUCKET.name, 'abc', 0, await stage(store, 'a'), HEADERS);
      await store.appendObject(BUCKET.name, 'abc', 1, await stage(store, 'bc'), HEADERS);
      expect((await store.headObject(BUCKET.name, 'abc')).crc64).toBe(3231342946509354535n);
    });

    it('an object of many small appended segments reads back whole in a few chunks, not one per segment', async () => {
      const pieces = Array.from({ length: 150 }, (_, i) => bytes(7, i));
      pieces.splice(100, 0, bytes(100 * 1024, 3)); // a large segment between small ones
      let position = 0;
      for (const piece of pieces) {
        await store.appendObject(BUCKET.name, 'many', position, await stage(store, piece), HEADERS);
        position += piece.length;
      }
      const chunksOf = async (range?: { start: number; end: number }) => {
        const chunks: Buffer[] = [];
        for await (const chunk of (await store.readObject(BUCKET.name, 'many', range)).body)
          chunks.push(chunk as Buffer);
        return chunks;
      };
      const whole = Buffer.concat(pieces);
      const all = await chunksOf();
      expectBytes(Buffer.concat(all), whole);
      expect(all.length).toBeLessThanOrEqual(4);
      const range = { start: 3, end: 700 };
      const some = await chunksOf(range);
      expectBytes(Buffer.concat(some), whole.subarray(range.start, range.end + 1)); // end is inclusive
      expect(some).toHaveLength(1);
    });

    it('PositionNotEqualToLength carries x-oss-next-append-position; the object is unchanged', async () => {
      const body = await stage(store, 'x');
      await expectOssError(store.appendObject(BUCKET.name, 'log', 3, body, HEADERS), 'PositionNotEqualToLength', {
        status: 409,
        headers: { 'x-oss-next-append-position': '0' },
      });
      await store.appendObject(BUCKET.name, 'log', 0, await stage(store, 'abc'), HEADERS);
      await expectOssError(
        store.appendObject(BUCKET.name, 'log', 0, await stage(store, 'x'), HEADERS),
        'PositionNotEqualToLength',
        { headers: { 'x-oss-next-append-position': '3' } },
      );
      expect(await content(store, 'log')).toBe('abc');
      expect(await bodyFiles()).toHaveLength(dir ? 1 : 0);
    });

    it('Normal and Multipart objects are not appendable; PutObject turns an Appendable object Normal', async () => {
      await put(store, 'normal', 'abc');
      await expectOssError(
        store.appendObject(BUCKET.name, 'normal', 3, await stage(store, 'x'), HEADERS),
        'ObjectNotAppendable',
        { status: 409 },
      );
      await store.appendObject(BUCKET.name, 'log', 0, await stage(store, 'abc'), HEADERS);
      const replaced = await put(store, 'log', 'new');
      expect(replaced.objectType).toBe('Normal');
      expect(replaced.contentMd5).toBeDefined();
      await expectOssError(
        store.appendObject(BUCKET.name, 'log', 3, await stage(store, 'x'), HEADERS),
        'ObjectNotAppendable',
      );
    });
  });

  describe('listObjects', () => {
    it('sorts by UTF-8 bytes and honours prefix, after and limit', async () => {
      // '\u{1F600}' is a surrogate pair in UTF-16 and sorts before '\uFFFD' in JS, after it in UTF-8.
      const keys = ['a/b', 'a-b', 'a', 'ab', 'a/c', '\u{1F600}', '\uFFFD', 'é', 'z'];
      for (const key of keys) await put(store, key, key);
      const list = async (o: { prefix?: string; after?: string; limit?: number }) =>
        (await store.listObjects(BUCKET.name, o)).map((m) => m.key);
      expect(await list({})).toEqual(['a', 'a-b', 'a/b', 'a/c', 'ab', 'z', 'é', '\uFFFD', '\u{1F600}']);
      expect(await list({ prefix: 'a/' })).toEqual(['a/b', 'a/c']);
      expect(await list({ after: 'a-b' })).toEqual(['a/b', 'a/c', 'ab', 'z', 'é', '\uFFFD', '\u{1F600}']);
      expect(await list({ after: 'a/', prefix: 'a' })).toEqual(['a/b', 'a/c', 'ab']);
      expect(await list({ after: '\uFFFD' })).toEqual(['\u{1F600}']);
      expect(await list({ limit: 2, after: 'a' })).toEqual(['a-b', 'a/b']);
      expect(await list({ limit: 0 })).toEqual([]);
      await store.deleteObject(BUCKET.name, 'a/b');
      expect(await list({ prefix: 'a/' })).toEqual(['a/c']);
    });
  });

  describe('multipart', () => {
    const key = 'big.bin';
    const PART = MIN_PART_SIZE;

    async function upload(headers = HEADERS) {
      return (await store.initiateUpload(BUCKET.name, key, headers)).uploadId;
    }

    async function part(uploadId: string, n: number, data: Buffer) {
      return store.putPart(BUCKET.name, key, uploadId, n, await stage(store, data));
    }

    it('initiate gives 32 uppercase hex upload IDs and honours forbidOverwrite', async () => {
      const id = await upload();
      expect(id).toMatch(/^[0-9A-F]{32}$/);
      expect(await upload()).not.toBe(id);
      expect(await store.uploadStatus(id)).toEqual({ bucket: BUCKET.name, key, status: 'initiated' });
      await put(store, key, 'exists');
      await expectOssError(
        store.initiateUpload(BUCKET.name, key, HEADERS, { forbidOverwrite: true }),
        'FileAlreadyExists',
      );
    });

    it('completes from the listed parts: content, multipart ETag, combined CRC, Initiate headers', async () => {
      const id = await upload({ ...HEADERS, contentType: 'video/mp4', userMeta: { a: 'b' } });
      const p1 = bytes(PART, 1);
      const p2 = bytes(PART + 17, 2);
      const p3 = bytes(99, 3);
      const i1 = await part(id, 1, p1);
      await part(id, 2, bytes(5, 9)); // unlisted: discarded
      const i3 = await part(id, 3, p2);
      const i5 = await part(id, 5, p3);
      expect(i1).toMatchObject({ partNumber: 1, size: PART, etag: md5Hex((await digestOf(p1)).md5) });
      const meta = await store.completeUpload(BUCKET.name, key, id, [
        { partNumber: 1, etag: `"${i1.etag}"` },
        { partNumber: 3, etag: `&quot;${i3.etag.toLowerCase()}&quot;` },
        { partNumber: 5, etag: i5.etag },
      ]);
      const whole = Buffer.concat([p1, p2, p3]);
      expect(meta).toMatchObject({
        size: whole.length,
        etag: multipartEtag([i1.etag, i3.etag, i5.etag]),
        crc64: await crc64(whole),
        objectType: 'Multipart',
        contentType: 'video/mp4',
        userMeta: { a: 'b' },
      });
      expect(meta.contentMd5).toBeUndefined();
      expectBytes(await readAll((await store.readObject(BUCKET.name, key)).body), whole);
      const { body } = await store.readObject(BUCKET.name, key, { start: PART - 2, end: PART + 1 });
      expectBytes(await readAll(body), whole.subarray(PART - 2, PART + 2));
      expect(await store.uploadStatus(id)).toEqual({ bucket: BUCKET.name, key, status: 'completed' });
      expect(await bodyFiles()).toHaveLength(dir ? 3 : 0);
    });

    it("'all' completes every stored part in number order", async () => {
      const id = await upload();
      await part(id, 2, bytes(10, 2));
      const first = await part(id, 1, bytes(PART, 1));
      const second = await store.listParts(BUCKET.name, key, id);
      const meta = await store.completeUpload(BUCKET.name, key, id, 'all');
      expect(meta.etag).toBe(multipartEtag([first.etag, second[1]!.etag]));
      expectBytes(
        await readAll((await store.readObject(BUCKET.name, key)).body),
        Buffer.concat([bytes(PART, 1), bytes(10, 2)]),
      );
    });

    it('re-uploading a part number overwrites it; listParts is sorted and shows only committed parts', async () => {
      const id = await upload();
      await part(id, 3, bytes(30));
      await part(id, 1, bytes(10, 1));
      const unsealed = await store.createStagedBody();
      await unsealed.write(bytes(5));
      const discarded = await stage(store, bytes(7));
      await discarded.discard();
      const replaced = await part(id, 1, bytes(11, 2));
      const parts = await store.listParts(BUCKET.name, key, id);
      expect(parts.map((p) => [p.partNumber, p.size])).toEqual([
        [1, 11],
        [3, 30],
      ]);
      expect(parts[0]).toEqual(replaced);
      await unsealed.discard();
      expect(await bodyFiles()).toHaveLength(dir ? 2 : 0);
    });

    it('part numbers outside 1..10000 are InvalidArgument with ArgumentName/ArgumentValue', async () => {
      const id = await upload();
      for (const n of [0, 10001, 1.5]) {
        await expectOssError(store.putPart(BUCKET.name, key, id, n, await stage(store, 'x')), 'InvalidArgument', {
          status: 400,
          extra: { ArgumentName: 'PartNumber', ArgumentValue: String(n) },
        });
      }
      expect(await store.listParts(BUCKET.name, key, id)).toEqual([]);
      expect(await bodyFiles()).toEqual([]);
    });

    it('an upload ID of another key, another bucket or made up is NoSuchUpload', async () => {
      const id = await upload();
      await store.createBucket({ ...BUCKET, name: 'other-bucket' });
      await expectOssError(store.listParts(BUCKET.name, 'other-key', id), 'NoSuchUpload', { status: 404 });
      await expectOssError(store.listParts('other-bucket', key, id), 'NoSuchUpload');
      await expectOssError(store.listParts(BUCKET.name, key, 'F'.repeat(32)), 'NoSuchUpload');
      await expectOssError(store.listParts('missing', key, id), 'NoSuchBucket');
      expect(await store.uploadStatus('F'.repeat(32))).toBeUndefined();
    });

    it(`remembers the last ${FINISHED_UPLOADS_KEPT} finished upload IDs, not every one it ever saw`, async () => {
      const ids: string[] = [];
      for (let i = 0; i <= FINISHED_UPLOADS_KEPT; i++) {
        const id = await upload();
        await store.abortUpload(BUCKET.name, key, id);
        ids.push(id);
      }
      // the oldest is forgotten: over HTTP nothing changes, it was NoSuchUpload before and still is
      expect(await store.uploadStatus(ids[0]!)).toBeUndefined();
      await expectOssError(store.listParts(BUCKET.name, key, ids[0]!), 'NoSuchUpload');
      expect(await store.uploadStatus(ids[1]!)).toMatchObject({ status: 'aborted' });
      expect(await store.uploadStatus(ids.at(-1)!)).toMatchObject({ status: 'aborted' });
      const finished = await store.listFinishedUploads();
      expect(finished).toHaveLength(FINISHED_UPLOADS_KEPT);
      expect(finished[0]).toEqual({ uploadId: ids.at(-1), bucket: BUCKET.name, key, status: 'aborted' });
      expect(finished.at(-1)?.uploadId).toBe(ids[1]);
    }, 30_000);

    it('lists finished upload IDs, the most recently finished first', async () => {
      const [done, dropped, open] = [await upload(), await upload(), await upload()];
      await part(done, 1, bytes(10, 1));
      await store.completeUpload(BUCKET.name, key, done, 'all');
      await store.abortUpload(BUCKET.name, key, dropped);
      expect(await store.listFinishedUploads()).toEqual([
        { uploadId: dropped, bucket: BUCKET.name, key, status: 'aborted' },
        { uploadId: done, bucket: BUCKET.name, key, status: 'completed' },
      ]);
      expect((await store.listFinishedUploads()).map((u) => u.uploadId)).not.toContain(open);
      await store.reset();
      expect(await store.listFinishedUploads()).toEqual([]);
    });

    it('Complete validation order: InvalidPartOrder, InvalidPart, EntityTooSmall, FileAlreadyExists', async () => {
      const id = await upload();
      const small = await part(id, 1, bytes(100, 1));
      const big = await part(id, 2, bytes(PART, 2));
      const last = await part(id, 3, bytes(10, 3));
      const complete = (refs: Array<[number, string]>, forbidOverwrite = false) =>
        store.completeUpload(
          BUCKET.name,
          key,
          id,
          refs.map(([partNumber, etag]) => ({ partNumber, etag })),
          { forbidOverwrite },
        );
      // descending and a too-small part: order is reported first
      await expectOssError(
        complete([
          [3, last.etag],
          [1, small.etag],
        ]),
        'InvalidPartOrder',
        { ec: '0042-00000209' },
      );
      await expectOssError(
        complete([
          [2, big.etag],
          [2, big.etag],
        ]),
        'InvalidPartOrder',
      );
      // unknown part and a too-small part: InvalidPart first
      await expectOssError(
        complete([
          [1, small.etag],
          [4, big.etag],
        ]),
        'InvalidPart',
        { status: 400 },
      );
      await expectOssError(complete([[2, small.etag]]), 'InvalidPart');
      await expectOssError(
        complete([
          [1, small.etag],
          [2, big.etag],
        ]),
        'EntityTooSmall',
        { ec: '0042-00000213' },
      );
      await expectOssError(complete([]), 'MalformedXML');
      await put(store, key, 'exists');
      await expectOssError(
        complete(
          [
            [2, big.etag],
            [3, last.etag],
          ],
          true,
        ),
        'FileAlreadyExists',
        {
          status: 409,
          ec: '0042-00000214',
        },
      );
      // every refusal left the upload open and whole
      expect(await store.listParts(BUCKET.name, key, id)).toHaveLength(3);
      const meta = await complete([
        [2, `"${big.etag}"`],
        [3, last.etag],
      ]);
      expect(meta.size).toBe(PART + 10);
    });

    it('after Abort or Complete every call on the upload ID is NoSuchUpload with its EC', async () => {
      for (const finish of ['abort', 'complete'] as const) {
        const id = await upload();
        await part(id, 1, bytes(10));
        if (finish === 'abort') await store.abortUpload(BUCKET.name, key, id);
        else await store.completeUpload(BUCKET.name, key, id, 'all');
        expect(await store.uploadStatus(id)).toMatchObject({ status: finish === 'abort' ? 'aborted' : 'completed' });
        await expectOssError(part(id, 2, bytes(10)), 'NoSuchUpload', { ec: '0042-00000104' });
        await expectOssError(
          store.putPart(BUCKET.name, key, id, 2, await stage(store, 'x'), ecOf('UploadPartCopy', 'NoSuchUpload')),
          'NoSuchUpload',
          { ec: '0042-00000311' },
        );
        await expectOssError(store.listParts(BUCKET.name, key, id), 'NoSuchUpload', { ec: '0042-00000002' });
        await expectOssError(store.abortUpload(BUCKET.name, key, id), 'NoSuchUpload', { ec: '0042-00000002' });
        await expectOssError(store.completeUpload(BUCKET.name, key, id, 'all'), 'NoSuchUpload');
        await expectOssError(store.assertUploadOpen(BUCKET.name, key, id), 'NoSuchUpload', { ec: '0042-00000104' });
        await expectOssError(
          store.assertUploadOpen(BUCKET.name, key, id, ecOf('UploadPartCopy', 'NoSuchUpload')),
          'NoSuchUpload',
          { ec: '0042-00000311' },
        );
        expect(await store.listUploads(BUCKET.name)).toEqual([]);
      }
      // the aborted upload's part is gone; the completed object's part is its only body file
      expect(await bodyFiles()).toHaveLength(dir ? 1 : 0);
    });

    it('listUploads: open uploads only, by key bytes then upload ID', async () => {
      const a = await store.initiateUpload(BUCKET.name, 'b', HEADERS);
      const b = await store.initiateUpload(BUCKET.name, 'a/x', HEADERS);
      const c = await store.initiateUpload(BUCKET.name, 'b', HEADERS);
      const d = await store.initiateUpload(BUCKET.name, 'gone', HEADERS);
      await store.abortUpload(BUCKET.name, 'gone', d.uploadId);
      const listed = await store.listUploads(BUCKET.name);
      const bUploads = [a, c].map((u) => u.uploadId).sort();
      expect(listed.map((u) => [u.key, u.uploadId])).toEqual([
        ['a/x', b.uploadId],
        ['b', bUploads[0]],
        ['b', bUploads[1]],
      ]);
    });

    it('Complete racing Abort: exactly one wins, the loser gets NoSuchUpload, no half state', async () => {
      for (let i = 0; i < 25; i++) {
        const id = await upload();
        await part(id, 1, bytes(10, i));
        const outcomes = await Promise.allSettled(
          i % 2 === 0
            ? [store.completeUpload(BUCKET.name, key, id, 'all'), store.abortUpload(BUCKET.name, key, id)]
            : [store.abortUpload(BUCKET.name, key, id), store.completeUpload(BUCKET.name, key, id, 'all')],
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0]!.reason as { code: string }).code).toBe('NoSuchUpload');
        const status = (await store.uploadStatus(id))!.status;
        const completed = won[0] === outcomes[i % 2 === 0 ? 0 : 1];
        expect(status).toBe(completed ? 'completed' : 'aborted');
        if (completed) expectBytes(await readAll((await store.readObject(BUCKET.name, key)).body), bytes(10, i));
        await store.deleteObject(BUCKET.name, key);
      }
      expect(await bodyFiles()).toEqual([]);
    });

    it('Complete racing Complete: one object, one NoSuchUpload', async () => {
      for (let i = 0; i < 10; i++) {
        const id = await upload();
        await part(id, 1, bytes(10, i));
        const outcomes = await Promise.allSettled([
          store.completeUpload(BUCKET.name, key, id, 'all'),
          store.completeUpload(BUCKET.name, key, id, 'all'),
        ]);
        expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      }
    });

    it('UploadPart racing Complete: the part is in the object or refused, never half-visible', async () => {
      let lastIncluded = false;
      for (let i = 0; i < 20; i++) {
        const id = await upload();
        await part(id, 1, bytes(PART, i));
        const late = await stage(store, bytes(10, 100 + i));
        // odd rounds give the part's commit a head start, so both orders of arrival at the commit lock occur
        const headStart = i % 2 === 1 ? new Promise((resolve) => setImmediate(resolve)) : Promise.resolve();
        const [uploaded, completed] = await Promise.allSettled([
          store.putPart(BUCKET.name, key, id, 2, late),
          headStart.then(() => store.completeUpload(BUCKET.name, key, id, 'all')),
        ]);
        expect(completed.status).toBe('fulfilled');
        const data = await readAll((await store.readObject(BUCKET.name, key)).body);
        lastIncluded = uploaded.status === 'fulfilled';
        if (uploaded.status === 'fulfilled') {
          expectBytes(data, Buffer.concat([bytes(PART, i), bytes(10, 100 + i)]));
        } else {
          expect((uploaded.reason as { code: string }).code).toBe('NoSuchUpload');
          expectBytes(data, bytes(PART, i));
        }
      }
      expect(await bodyFiles()).toHaveLength(dir ? (lastIncluded ? 2 : 1) : 0);
    });
  });

  it('reset drops buckets, objects, uploads and their bytes', async () => {
    await put(store, 'k', 'x');
    const id = (await store.initiateUpload(BUCKET.name, 'm', HEADERS)).uploadId;
    await store.putPart(BUCKET.name, 'm', id, 1, await stage(store, 'part'));
    await store.reset();
    expect(await store.listBuckets()).toEqual([]);
    expect(await store.uploadStatus(id)).toBeUndefined();
    await store.createBucket(BUCKET);
    await expectOssError(store.listParts(BUCKET.name, 'm', id), 'NoSuchUpload');
    expect(await store.listObjects(BUCKET.name, {})).toEqual([]);
    expect(await bodyFiles()).toEqual([]);
  });
});
