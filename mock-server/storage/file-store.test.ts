// FileStore durability: what a new FileStore on the same directory finds after a clean close, an abandoned process
// and a torn journal, and that keys never reach the filesystem.

import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crc64 } from '../../protocol/crc64.js';
import { LOCK_PREFIX, lockGenerations } from './data-dir.js';
import { FileStore } from './file-store.js';
import { HeldBytes } from './held-bytes.js';
import { JOURNAL_FILE, SNAPSHOT_FILE } from './journal.js';
import { MIN_PART_SIZE } from './limits.js';
import { StoredBytesMissingError, type Store } from './store.js';
import {
  BUCKET,
  HEADERS,
  bytes,
  content,
  digestOf,
  expectBytes,
  expectOssError,
  put,
  readAll,
  stage,
} from './test-support/fixtures.js';

describe('FileStore', () => {
  let root: string;
  let dir: string;
  const opened: Store[] = [];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'oss-mock-file-store-'));
    dir = join(root, 'data');
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await rm(root, { recursive: true, force: true });
  });

  async function openStore(options?: { compactAfterBytes?: number }): Promise<FileStore> {
    const store = new FileStore(dir, options);
    await store.open();
    opened.push(store);
    return store;
  }

  async function reopen(previous: Store, options?: { compactAfterBytes?: number }): Promise<FileStore> {
    await previous.close();
    return openStore(options);
  }

  async function filesUnder(path: string): Promise<string[]> {
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
  }

  it('finds buckets, objects, open uploads with their parts, and finished upload IDs after a restart', async () => {
    let store = await openStore();
    await store.createBucket(BUCKET);
    await store.putObject(BUCKET.name, 'normal', await stage(store, 'hello'), {
      ...HEADERS,
      contentType: 'text/plain',
      userMeta: { crc64: 'not a number', $date: 'x' },
    });
    await store.appendObject(BUCKET.name, 'log', 0, await stage(store, 'ab'), HEADERS);
    await store.appendObject(BUCKET.name, 'log', 2, await stage(store, 'cd'), HEADERS);
    const open = (await store.initiateUpload(BUCKET.name, 'mp', { ...HEADERS, contentType: 'video/mp4' })).uploadId;
    await store.putPart(BUCKET.name, 'mp', open, 1, await stage(store, bytes(MIN_PART_SIZE, 1)));
    await store.putPart(BUCKET.name, 'mp', open, 2, await stage(store, bytes(10, 2)));
    const aborted = (await store.initiateUpload(BUCKET.name, 'gone', HEADERS)).uploadId;
    await store.putPart(BUCKET.name, 'gone', aborted, 1, await stage(store, 'x'));
    await store.abortUpload(BUCKET.name, 'gone', aborted);
    const done = (await store.initiateUpload(BUCKET.name, 'done', HEADERS)).uploadId;
    await store.putPart(BUCKET.name, 'done', done, 1, await stage(store, 'y'));
    await store.completeUpload(BUCKET.name, 'done', done, 'all');
    const before = {
      buckets: await store.listBuckets(),
      objects: await store.listObjects(BUCKET.name, {}),
      parts: await store.listParts(BUCKET.name, 'mp', open),
      uploads: await store.listUploads(BUCKET.name),
    };

    store = await reopen(store);
    expect(await store.listBuckets()).toEqual(before.buckets);
    expect(await store.listObjects(BUCKET.name, {})).toEqual(before.objects);
    expect(await store.listParts(BUCKET.name, 'mp', open)).toEqual(before.parts);
    expect(await store.listUploads(BUCKET.name)).toEqual(before.uploads);
    expect(await content(store, 'normal')).toBe('hello');
    expect(await content(store, 'log')).toBe('abcd');
    expect((await store.headObject(BUCKET.name, 'normal')).userMeta).toEqual({ crc64: 'not a number', $date: 'x' });
    expect((await store.headObject(BUCKET.name, 'log')).crc64).toBe(await crc64('abcd'));
    await expectOssError(store.listParts(BUCKET.name, 'gone', aborted), 'NoSuchUpload');
    await expectOssError(store.assertUploadOpen(BUCKET.name, 'done', done), 'NoSuchUpload');
    expect(await store.uploadStatus(aborted)).toEqual({ bucket: BUCKET.name, key: 'gone', status: 'aborted' });
    expect(await store.uploadStatus(done)).toEqual({ bucket: BUCKET.name, key: 'done', status: 'completed' });

    // the recovered upload goes on where it stopped
    await store.appendObject(BUCKET.name, 'log', 4, await stage(store, 'e'), HEADERS);
    const meta = await store.completeUpload(BUCKET.name, 'mp', open, 'all');
    expect(meta.contentType).toBe('video/mp4');
    expectBytes(
      await readAll((await store.readObject(BUCKET.name, 'mp')).body),
      Buffer.concat([bytes(MIN_PART_SIZE, 1), bytes(10, 2)]),
    );
    store = await reopen(store);
    expect(await content(store, 'log')).toBe('abcde');
    expect((await store.headObject(BUCKET.name, 'mp')).etag).toBe(meta.etag);
  });

  it('keeps every acknowledged commit when the process never closed the store', async () => {
    const crashed = new FileStore(dir);
    await crashed.open();
    await crashed.createBucket(BUCKET);
    await put(crashed, 'k', 'survives');
    // no close(): a new store opens the directory as a restarted process would, finding the lock of a process that
    // is gone (this one is not, so its lock goes by hand; data-dir.test.ts has the takeover of a dead owner's lock)
    for (const n of await lockGenerations(dir)) await rm(join(dir, `${LOCK_PREFIX}${n}`));
    const store = await openStore();
    expect(await content(store, 'k')).toBe('survives');
    opened.push(crashed);
  });

  it('removes leftover staging files and unreferenced blobs at open, keeps referenced ones', async () => {
    let store = await openStore();
    await store.createBucket(BUCKET);
    await put(store, 'k', 'kept');
    const inFlight = await store.createStagedBody();
    await inFlight.write(Buffer.from('interrupted upload'));
    const kept = await filesUnder(join(dir, 'blobs'));
    await store.close();
    await writeFile(join(dir, 'blobs', 'ffffffffffffffffffffffffffffffff'), 'promoted, never journaled');
    await mkdir(join(dir, 'staging', 'junk-dir'));
    await writeFile(join(dir, 'staging', 'junk-dir', 'x'), 'x');

    store = await openStore();
    expect(await filesUnder(join(dir, 'staging'))).toEqual([]);
    expect(await filesUnder(join(dir, 'blobs'))).toEqual(kept);
    expect(await content(store, 'k')).toBe('kept');
    // the abandoned body still holds its (now deleted) staging file open: close it rather than leave it to the GC
    await inFlight.discard();
  });

  it('ignores a torn last journal line and refuses a journal damaged in the middle', async () => {
    let store = await openStore();
    await store.createBucket(BUCKET);
    await put(store, 'a', '1');
    await put(store, 'b', '2');
    await store.close();
    await appendFile(join(dir, JOURNAL_FILE), '{"seq":99,"mutations":[{"type":"putOb');
    store = await openStore();
    expect((await store.listObjects(BUCKET.name, {})).map((o) => o.key)).toEqual(['a', 'b']);
    await put(store, 'c', '3');
    await store.close();

    const journal = await readFile(join(dir, JOURNAL_FILE), 'utf8');
    const lines = journal.trimEnd().split('\n');
    expect(lines).toHaveLength(1); // open() compacted: only the commit of 'c'
    await writeFile(join(dir, JOURNAL_FILE), `${lines[0]!.slice(0, 20)}\n${lines[0]}\n`);
    await expect(new FileStore(dir).open()).rejects.toThrow(/damaged/);
  });

  it("an append's journal line names only the new segment, and the appended object is whole after a restart", async () => {
    let store = await openStore();
    await store.createBucket(BUCKET);
    const lineOfLastAppend = async () =>
      (await readFile(join(dir, JOURNAL_FILE), 'utf8')).trimEnd().split('\n').at(-1)!;
    let expected = '';
    const lines: number[] = [];
    for (let i = 0; i < 60; i++) {
      const piece = `piece ${String(i).padStart(2, '0')};`;
      await store.appendObject(BUCKET.name, 'log', expected.length, await stage(store, piece), HEADERS);
      expected += piece;
      lines.push((await lineOfLastAppend()).length);
    }
    // the 60th line is as long as the 2nd (give or take the digits of sizes and sequence numbers), not 59 segments longer
    expect(lines[59]! - lines[1]!).toBeLessThan(16);
    store = await reopen(store);
    expect(await content(store, 'log')).toBe(expected);
    expect((await store.headObject(BUCKET.name, 'log')).size).toBe(expected.length);
    await store.appendObject(BUCKET.name, 'log', expected.length, await stage(store, 'end'), HEADERS);
    expect(await content(store, 'log')).toBe(`${expected}end`);
  });

  it('a short segment of an appended object truncated on disk fails the read instead of shortening it', async () => {
    const store = await openStore();
    await store.createBucket(BUCKET);
    const pieces = ['first piece;', 'the middle one, 29 bytes long', 'last'];
    let position = 0;
    for (const piece of pieces) {
      await store.appendObject(BUCKET.name, 'log', position, await stage(store, piece), HEADERS);
      position += piece.length;
    }
    const blobs = await filesUnder(join(dir, 'blobs'));
    const sizes = await Promise.all(blobs.map(async (b) => (await stat(join(dir, b))).size));
    await truncate(join(dir, blobs[sizes.indexOf(29)]!), 10);
    const err = await readAll((await store.readObject(BUCKET.name, 'log')).body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoredBytesMissingError);
  });

  it('a small object is read whole at open (bytes in memory, for a one-write GET); truncated, the open fails', async () => {
    const store = await openStore();
    await store.createBucket(BUCKET);
    await put(store, 'small', bytes(4096, 5));
    const { body } = await store.readObject(BUCKET.name, 'small');
    expect(body).toBeInstanceOf(HeldBytes);
    expectBytes(await readAll(body), bytes(4096, 5));
    const ranged = await store.readObject(BUCKET.name, 'small', { start: 10, end: 19 });
    expectBytes(await readAll(ranged.body), bytes(4096, 5).subarray(10, 20));
    const [blob] = await filesUnder(join(dir, 'blobs'));
    await truncate(join(dir, blob!), 100);
    await expect(store.readObject(BUCKET.name, 'small')).rejects.toBeInstanceOf(StoredBytesMissingError);
  });

  it('compacts the journal into the snapshot and recovers from both', async () => {
    let store = await openStore({ compactAfterBytes: 2048 });
    await store.createBucket(BUCKET);
    for (let i = 0; i < 40; i++) await put(store, `key-${String(i).padStart(2, '0')}`, `value ${i}`);
    for (let i = 0; i < 40; i += 3) await store.deleteObject(BUCKET.name, `key-${String(i).padStart(2, '0')}`);
    const journalSize = (await stat(join(dir, JOURNAL_FILE))).size;
    const snapshotSize = (await stat(join(dir, SNAPSHOT_FILE))).size;
    expect(journalSize).toBeLessThanOrEqual(Math.max(2048, snapshotSize) + 2048);
    const before = await store.listObjects(BUCKET.name, {});
    expect(before).toHaveLength(26);

    store = await reopen(store, { compactAfterBytes: 2048 });
    expect(await store.listObjects(BUCKET.name, {})).toEqual(before);
    expect(await content(store, 'key-01')).toBe('value 1');
    expect(await filesUnder(join(dir, 'blobs'))).toHaveLength(26);
  });

  it('reset empties the directory of every body and record', async () => {
    let store = await openStore();
    await store.createBucket(BUCKET);
    await put(store, 'k', 'x');
    const id = (await store.initiateUpload(BUCKET.name, 'm', HEADERS)).uploadId;
    await store.putPart(BUCKET.name, 'm', id, 1, await stage(store, 'p'));
    await store.reset();
    expect(await filesUnder(join(dir, 'blobs'))).toEqual([]);
    expect((await stat(join(dir, JOURNAL_FILE))).size).toBe(0);
    store = await reopen(store);
    expect(await store.listBuckets()).toEqual([]);
  });

  it('a body write resolves once its bytes are in the staging file', async () => {
    const store = await openStore();
    const body = await store.createStagedBody();
    await body.write(bytes(1000));
    await body.write(bytes(500, 2));
    const [staged] = await filesUnder(join(dir, 'staging'));
    expect((await stat(join(dir, staged!))).size).toBe(1500);
    await body.discard();
    expect(await filesUnder(join(dir, 'staging'))).toEqual([]);
  });

  it('a body written in batches past the early-sync step (flushed while it arrives) reads back byte-exact', async () => {
    const store = await openStore();
    await store.createBucket(BUCKET);
    const data = bytes(13 * 1024 * 1024 + 7, 3);
    const body = await store.createStagedBody();
    // batches of up to eight 64 KiB chunks, as the body reader hands them over
    for (let at = 0; at < data.length; at += 8 * 65536) {
      const batch = [];
      for (let c = at; c < Math.min(at + 8 * 65536, data.length); c += 65536) batch.push(data.subarray(c, c + 65536));
      await body.writev(batch);
    }
    expect(body.bytesWritten).toBe(data.length);
    await body.seal(await digestOf(data));
    await store.putObject(BUCKET.name, 'big', body, HEADERS);
    expectBytes(await readAll((await store.readObject(BUCKET.name, 'big')).body), data);
    // and after a restart
    const again = await reopen(store);
    expectBytes(await readAll((await again.readObject(BUCKET.name, 'big')).body), data);
  });

  it('deletes a replaced version only after its last reader is done', async () => {
    const store = await openStore();
    await store.createBucket(BUCKET);
    await put(store, 'k', bytes(200_000, 1));
    const [oldBlob] = await filesUnder(join(dir, 'blobs'));
    const { body } = await store.readObject(BUCKET.name, 'k');
    await put(store, 'k', 'new');
    expect(await filesUnder(join(dir, 'blobs'))).toContain(oldBlob);
    expectBytes(await readAll(body), bytes(200_000, 1));
    await new Promise((resolve) => setImmediate(resolve)); // the release runs after the stream's 'close'
    for (let i = 0; i < 50 && (await filesUnder(join(dir, 'blobs'))).includes(oldBlob!); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await filesUnder(join(dir, 'blobs'))).not.toContain(oldBlob);
  });

  it('a reader abandoned before reading releases the version it held', async () => {
    const store = await openStore();
    await store.createBucket(BUCKET);
    await store.appendObject(BUCKET.name, 'log', 0, await stage(store, 'ab'), HEADERS);
    await store.appendObject(BUCKET.name, 'log', 2, await stage(store, 'cd'), HEADERS);
    const held = await filesUnder(join(dir, 'blobs'));
    expect(held).toHaveLength(2);
    const { body } = await store.readObject(BUCKET.name, 'log', { start: 1, end: 2 });
    await store.deleteObject(BUCKET.name, 'log');
    expect(await filesUnder(join(dir, 'blobs'))).toEqual(held);
    body.destroy();
    for (let i = 0; i < 50 && (await filesUnder(join(dir, 'blobs'))).length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await filesUnder(join(dir, 'blobs'))).toEqual([]);
  });

  it('readObject fails before returning when the data file is missing', async () => {
    const store = await openStore();
    await store.createBucket(BUCKET);
    await put(store, 'k', 'x');
    const [blob] = await filesUnder(join(dir, 'blobs'));
    await rm(join(dir, blob!));
    await expect(store.readObject(BUCKET.name, 'k')).rejects.toThrow(/ENOENT/);
  });

  it('keys and bucket names never become paths', async () => {
    let store = await openStore();
    const outside = await readdir(root);
    await store.createBucket(BUCKET);
    const hostile = [
      '../../etc/passwd',
      '../outside',
      '/absolute/path',
      '..\\..\\windows',
      '%2F..%2F..%2Fx',
      'a/./b/../../c',
      'nul\u0000byte',
      '\u{1F600}/ünïcödé/日本語',
      'k'.repeat(1023),
      `${'é'.repeat(511)}x`,
      'index.json',
      'journal.jsonl',
      'blobs',
    ];
    for (const [i, key] of hostile.entries()) await put(store, key, `body ${i}`);
    const upload = (await store.initiateUpload(BUCKET.name, '../../upload', HEADERS)).uploadId;
    await store.putPart(BUCKET.name, '../../upload', upload, 1, await stage(store, 'part'));

    expect(await readdir(root)).toEqual(outside);
    for (const file of await filesUnder(dir)) {
      expect(file).toMatch(
        new RegExp(`^(index\\.json|journal\\.jsonl|oss-mock\\.lock\\.\\d+|blobs\\${sep}[0-9a-f]{32})$`),
      );
    }
    store = await reopen(store);
    for (const [i, key] of hostile.entries()) expect(await content(store, key)).toBe(`body ${i}`);
    expect((await store.listParts(BUCKET.name, '../../upload', upload)).map((p) => p.size)).toEqual([4]);
  });
});
