// The --data-dir store. Layout of DIR (nothing else in DIR is touched):
//   staging/<id>     a request body being received (write() resolves once the bytes are written: backpressure)
//   blobs/<id>       committed bytes, immutable; named by a random id, never by bucket or key
//   index.json       snapshot of the index; journal.jsonl  batches since the snapshot (see journal.ts)
//   oss-mock.lock    held while a store has DIR open: a second server refuses to start (see data-dir.ts)
//
// Commit order, so that a crash at any point leaves the old or the new state: seal fsyncs the staged file; promote
// renames it into blobs/ and fsyncs blobs/; the journal line that references it is written and the index updated;
// the request is answered only once the line is fsynced (one fdatasync for all the lines written meanwhile). A
// crash before the line is on disk leaves an unreferenced blob (collected at open) and an unacknowledged commit;
// after it, the commit is replayed. Blobs a commit replaces are deleted only once its line is on disk and no reader
// has them open.

import { randomBytes } from 'node:crypto';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import type { ClaimedBody, StoreBackend } from './backend.js';
import { BLOB_ID } from './codec.js';
import { DataDirLock, prepareDataDir } from './data-dir.js';
import { prune, removeFile, syncOpenDir } from './durable-fs.js';
import { GroupSync } from './group-sync.js';
import { IndexedStore } from './indexed-store.js';
import { Journal } from './journal.js';
import { StagedBodyBase } from './staged-body.js';
import { referencedBlobs, type Mutation, type StoreState } from './state.js';
import { StoredBytesMissingError, type StagedBody } from './store.js';

export interface FileStoreOptions {
  /** Journal size that triggers folding it into the snapshot (it may also grow to the snapshot's size). */
  compactAfterBytes?: number;
}

const READ_CHUNK = 64 * 1024;
/**
 * A body is flushed to disk while it arrives, one background fdatasync (at most one in flight) per this many bytes
 * written, so the seal's own fdatasync finds about this much left to write instead of the whole body (the kernel
 * would otherwise keep it all dirty in the page cache until then). An 8 MiB part is half written back before its
 * last byte arrives.
 */
const EARLY_SYNC_BYTES = 4 * 1024 * 1024;

class FileStagedBody extends StagedBodyBase {
  private unsynced = 0;
  /** the background fdatasync in flight, if any; it never rejects (its error is kept in syncFailure) */
  private syncing: Promise<void> | undefined;
  private syncFailure: unknown;

  constructor(
    readonly owner: FileBackend,
    readonly id: string,
    readonly path: string,
    private handle: FileHandle | undefined,
  ) {
    super();
  }

  protected async writeBytes(chunks: readonly Buffer[]): Promise<void> {
    const handle = this.handle!;
    let rest = chunks.filter((c) => c.length > 0);
    while (rest.length > 0) {
      // a short write (rare on a regular file) leaves the tail of one chunk and the chunks after it
      let written = (await handle.writev(rest)).bytesWritten;
      let i = 0;
      while (i < rest.length && written >= rest[i]!.length) written -= rest[i++]!.length;
      rest = i < rest.length ? [rest[i]!.subarray(written), ...rest.slice(i + 1)] : [];
    }
    for (const chunk of chunks) this.unsynced += chunk.length;
    if (this.unsynced >= EARLY_SYNC_BYTES && this.syncing === undefined) {
      this.unsynced = 0;
      this.syncing = handle.datasync().then(
        () => (this.syncing = undefined),
        (err: unknown) => {
          this.syncFailure ??= err;
          this.syncing = undefined;
        },
      );
    }
  }

  async *readWritten(): AsyncIterable<Buffer> {
    const size = this.bytesWritten;
    if (size === 0) return;
    const file = await open(this.path, 'r');
    try {
      yield* file.createReadStream({ start: 0, end: size - 1, highWaterMark: READ_CHUNK, autoClose: false });
    } finally {
      await file.close();
    }
  }

  protected async finishBytes(): Promise<void> {
    await this.syncing;
    if (this.syncFailure !== undefined) throw this.syncFailure;
    await this.handle!.datasync();
    await this.closeHandle();
  }

  protected async dropBytes(): Promise<void> {
    await this.syncing;
    await this.closeHandle().catch(() => undefined);
    await removeFile(this.path);
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}

/** Passes a range of a blob through and fails if it ends before the range does. */
class ExactLength extends Transform {
  private delivered = 0;

  constructor(
    private readonly blob: string,
    private readonly from: number,
    private readonly to: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.delivered += chunk.length;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const expected = this.to - this.from;
    done(
      this.delivered === expected ? null : new StoredBytesMissingError(this.blob, this.to, this.from + this.delivered),
    );
  }
}

class FileBackend implements StoreBackend<string> {
  private readonly stagingDir: string;
  private readonly blobsDir: string;
  private readonly journal: Journal;
  private lock: DataDirLock | undefined;
  /** blobs/, open for the store's life: renames into it are made durable by fsyncs shared among concurrent commits */
  private blobsDirHandle: FileHandle | undefined;
  private blobsDirSyncs: GroupSync | undefined;

  constructor(
    private readonly dir: string,
    options: FileStoreOptions,
  ) {
    this.stagingDir = join(dir, 'staging');
    this.blobsDir = join(dir, 'blobs');
    this.journal = new Journal(dir, options.compactAfterBytes ?? 8 * 1024 * 1024);
  }

  async open(): Promise<StoreState<string>> {
    await prepareDataDir(this.dir, ['staging', 'blobs']);
    // before anything in DIR is read or removed: another live server's staging files are not ours to prune
    const lock = await DataDirLock.acquire(this.dir);
    try {
      await prune(this.stagingDir, () => false); // bodies of requests the last run never finished
      const state = await this.journal.load();
      const live = referencedBlobs(state);
      await prune(this.blobsDir, (name) => live.has(name)); // promoted, but the commit never reached the journal
      await this.journal.compact(state); // drops a torn tail; the next run starts from one snapshot
      const dirHandle = await open(this.blobsDir, 'r');
      this.blobsDirHandle = dirHandle;
      this.blobsDirSyncs = new GroupSync(() => syncOpenDir(dirHandle));
      this.lock = lock;
      return state;
    } catch (err) {
      await this.journal.close().catch(() => undefined);
      await lock.release();
      throw err;
    }
  }

  async close(): Promise<void> {
    try {
      await this.blobsDirHandle?.close();
      this.blobsDirHandle = undefined;
      await this.journal.close();
    } finally {
      await this.lock?.release();
      this.lock = undefined;
    }
  }

  async stage(): Promise<StagedBody> {
    const id = randomBytes(16).toString('hex');
    const path = join(this.stagingDir, id);
    return new FileStagedBody(this, id, path, await open(path, 'wx'));
  }

  claim(body: StagedBody): ClaimedBody<string> {
    if (!(body instanceof FileStagedBody) || body.owner !== this) {
      throw new TypeError('StagedBody was not created by this store');
    }
    const digest = body.claim();
    return {
      digest,
      promote: async () => {
        const target = this.blobPath(body.id);
        try {
          await rename(body.path, target);
          await this.blobsDirSyncs!.flush();
        } catch (err) {
          await Promise.all([removeFile(body.path), removeFile(target)]);
          throw err;
        }
        return body.id;
      },
      drop: () => removeFile(body.path),
    };
  }

  persist(mutations: readonly Mutation<string>[]): Promise<void> {
    return this.journal.append(mutations);
  }

  durable(): Promise<void> {
    return this.journal.durable();
  }

  async committed(state: StoreState<string>, mutations: readonly Mutation<string>[]): Promise<void> {
    // After a reset the old journal and snapshot describe nothing that exists: fold them away at once.
    if (!mutations.some((m) => m.type === 'reset') && !this.journal.shouldCompact()) return;
    try {
      await this.journal.compact(state);
    } catch {
      // The journal still holds every batch; compaction is retried after the next commit.
    }
  }

  /**
   * A blob shorter than the range (truncated behind the store's back) is found out at the open, before anything is
   * sent; one that shrinks while it is read, by the count of what the read delivered. Either way the read fails
   * with StoredBytesMissingError: a file stream would otherwise end early and quietly, and a response would stop
   * short of its Content-Length with the client waiting for the rest.
   */
  async read(blob: string, start: number, end: number): Promise<Readable> {
    const handle = await open(this.blobPath(blob), 'r');
    try {
      const { size } = await handle.stat();
      if (size < end) throw new StoredBytesMissingError(blob, end, size);
    } catch (err) {
      await handle.close();
      throw err;
    }
    const file = handle.createReadStream({ start, end: end - 1, highWaterMark: READ_CHUNK });
    const counted = new ExactLength(blob, start, end);
    pipeline(file, counted, () => undefined); // an error reaches the reader through `counted`
    return counted;
  }

  async readShort(blob: string, start: number, end: number): Promise<Buffer> {
    const handle = await open(this.blobPath(blob), 'r');
    try {
      const out = Buffer.allocUnsafe(end - start);
      for (let got = 0; got < out.length;) {
        const { bytesRead } = await handle.read(out, got, out.length - got, start + got);
        if (bytesRead === 0) throw new StoredBytesMissingError(blob, end, start + got);
        got += bytesRead;
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  release(blob: string): Promise<void> {
    return removeFile(this.blobPath(blob));
  }

  private blobPath(id: string): string {
    if (!BLOB_ID.test(id)) throw new Error(`invalid blob id ${JSON.stringify(id)}`);
    return join(this.blobsDir, id);
  }
}

export class FileStore extends IndexedStore<string> {
  readonly dir: string;

  constructor(dir: string, options: FileStoreOptions = {}) {
    const absolute = resolve(dir);
    super(new FileBackend(absolute, options));
    this.dir = absolute;
  }
}
