// The Store semantics shared by the memory and file stores (docs/protocol.md#multipart, docs/protocol.md#putobject,
// docs/protocol.md#appendobject, docs/protocol.md#bucket-operations, docs/protocol.md#limits).
//
// Every change runs as one critical section (Mutex): plan against the index (throwing OssErrors), persist the
// resulting mutations, apply them. Sections never interleave, so check-and-transition is atomic even though the file
// store awaits its journal in the middle: of a Complete and an Abort (or two Completes) on one upload ID exactly one
// finds it initiated, and a part committed after the Complete finds it finished. A change is acknowledged only once
// the backend says it is durable, after its section (the file store makes the journal lines written meanwhile durable
// with one fdatasync, and a line is only synced with the lines before it, so nothing durable depends on something
// that is not). Reads take no lock: the index only changes synchronously inside apply, so they see whole changes; a
// read racing a write may see it before the writer's answer, as on a real server.
//
// Bodies are promoted to blobs before the section (so fsyncs of unrelated uploads overlap); a refused commit frees
// its blob. A reader pins the blobs of the version it opened, so an overwrite or delete frees them only after it.

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { OssError, ecOf } from '../../protocol/errors.js';
import type { StoreBackend } from './backend.js';
import { HeldBytes } from './held-bytes.js';
import { compareKeys } from './key-order.js';
import { MAX_BUCKETS, MAX_OBJECT_SIZE, MAX_PART_SIZE } from './limits.js';
import { selectParts } from './complete-parts.js';
import { Mutex } from './mutex.js';
import {
  appendedMeta,
  frozenHeaders,
  multipartMeta,
  normalMeta,
  partInfo,
  symlinkMeta,
  wholeSeconds,
  withMutableFields,
} from './object-meta.js';
import { addressedObject, checkVersionId, nextVersionId, versionPage } from './versions.js';
import {
  applyMutations,
  emptyState,
  isEmptyBucket,
  isVersioned,
  type BucketState,
  type Mutation,
  type OpenUpload,
  type Segment,
  type StoreState,
  type StoredObject,
} from './state.js';
import {
  NULL_VERSION_ID,
  type BodyDigest,
  type BucketAcl,
  type CorsConfiguration,
  type BucketInfo,
  type ByteRange,
  type CompletePartRef,
  type FinishedUploadInfo,
  type DeleteOutcome,
  type ListVersionsOptions,
  type MutableObjectFields,
  type VersionPage,
  type VersioningStatus,
  type ObjectHeaders,
  type ObjectMeta,
  type PartInfo,
  type StagedBody,
  type Store,
  type StoreCounts,
  type UploadInfo,
  type UploadStatus,
} from './store.js';
import { checkPartNumber, noSuchBucket, noSuchUpload, tooLarge } from './store-errors.js';

interface Planned<B, T> {
  mutations: Mutation<B>[];
  result: T;
}

type Plan<B, T> = (state: StoreState<B>) => Planned<B, T>;

export class IndexedStore<B> implements Store {
  private state: StoreState<B> = emptyState();
  private phase: 'new' | 'open' | 'closed' = 'new';
  private readonly commits = new Mutex();
  /** blob -> number of open read streams */
  private readonly readers = new Map<B, number>();
  /** blobs dropped from the index while a reader still had them */
  private readonly freeAfterRead = new Set<B>();

  /** the server's clock (ServerClock): the times recorded in metadata follow its offset */
  private now: () => Date = () => new Date();

  constructor(private readonly backend: StoreBackend<B>) {}

  useClock(now: () => Date): void {
    this.now = now;
  }

  async open(): Promise<void> {
    if (this.phase !== 'new') throw new Error(`store already ${this.phase === 'open' ? 'opened' : 'closed'}`);
    this.state = await this.backend.open();
    this.phase = 'open';
  }

  async close(): Promise<void> {
    if (this.phase !== 'open') return;
    await this.commits.run(async () => {
      this.phase = 'closed';
      await this.backend.close();
    });
  }

  async reset(): Promise<void> {
    await this.commit(() => ({ mutations: [{ type: 'reset' }], result: undefined }));
  }

  counts(): StoreCounts {
    let objects = 0;
    let uploads = 0;
    for (const bucket of this.state.buckets.values()) {
      objects += bucket.objects.size;
      uploads += bucket.uploads.size;
    }
    return { buckets: this.state.buckets.size, objects, uploads };
  }

  // Buckets

  async createBucket(input: Omit<BucketInfo, 'creationDate'>): Promise<BucketInfo> {
    return this.commit((state) => {
      const existing = state.buckets.get(input.name)?.info;
      // docs/protocol.md#error-catalogue: re-creating your own bucket with the same settings succeeds (inferred); other
      // settings are a conflict.
      if (existing && sameSettings(existing, input)) return { mutations: [], result: existing };
      if (existing) throw new OssError('BucketAlreadyExists', { extra: { BucketName: input.name } });
      if (state.buckets.size >= MAX_BUCKETS) throw new OssError('TooManyBuckets');
      const info: BucketInfo = Object.freeze({ ...input, creationDate: wholeSeconds(this.now()) });
      return { mutations: [{ type: 'createBucket', info }], result: info };
    });
  }

  async getBucket(name: string): Promise<BucketInfo | undefined> {
    return this.live().buckets.get(name)?.info;
  }

  async listBuckets(): Promise<BucketInfo[]> {
    return [...this.live().buckets.values()].map((b) => b.info).sort((a, b) => compareKeys(a.name, b.name));
  }

  async deleteBucket(name: string): Promise<void> {
    await this.commit((state) => {
      const bucket = bucketIn(state, name);
      // docs/protocol.md#bucket-operations: unfinished multipart uploads block deletion as much as objects do; so do
      // previous versions and delete markers (docs/protocol.md#versioning)
      if (!isEmptyBucket(bucket)) {
        throw new OssError('BucketNotEmpty', { extra: { BucketName: name } });
      }
      return { mutations: [{ type: 'deleteBucket', name }], result: undefined };
    });
  }

  async setBucketAcl(name: string, acl: BucketAcl): Promise<BucketInfo> {
    return this.commit((state) => {
      const bucket = bucketIn(state, name);
      if (bucket.info.acl === acl) return { mutations: [], result: bucket.info };
      return { mutations: [{ type: 'setBucketAcl', name, acl }], result: Object.freeze({ ...bucket.info, acl }) };
    });
  }

  async setBucketCors(name: string, cors: CorsConfiguration | undefined): Promise<BucketInfo> {
    return this.commit((state) => {
      const bucket = bucketIn(state, name);
      const { cors: _old, ...rest } = bucket.info;
      const info = Object.freeze(cors === undefined ? rest : { ...rest, cors });
      return {
        mutations: [cors === undefined ? { type: 'setBucketCors', name } : { type: 'setBucketCors', name, cors }],
        result: info,
      };
    });
  }

  async setBucketVersioning(name: string, status: VersioningStatus): Promise<BucketInfo> {
    return this.commit((state) => {
      const bucket = bucketIn(state, name);
      if (bucket.info.versioning === status) return { mutations: [], result: bucket.info };
      return {
        mutations: [{ type: 'setVersioning', name, status }],
        result: Object.freeze({ ...bucket.info, versioning: status }),
      };
    });
  }

  // Objects

  async createStagedBody(): Promise<StagedBody> {
    this.live();
    return this.backend.stage();
  }

  async headObject(bucket: string, key: string, versionId?: string): Promise<ObjectMeta> {
    return addressedObject(bucketIn(this.live(), bucket), key, versionId).meta;
  }

  async readObject(
    bucket: string,
    key: string,
    range?: ByteRange,
    versionId?: string,
  ): Promise<{ meta: ObjectMeta; body: Readable }> {
    const object = addressedObject(bucketIn(this.live(), bucket), key, versionId);
    const { size } = object.meta;
    if (
      range &&
      !(Number.isSafeInteger(range.start) && range.start >= 0 && range.start <= range.end && range.end < size)
    ) {
      throw new OssError('InvalidRange');
    }
    const start = range?.start ?? 0;
    const end = range ? range.end + 1 : size;
    const blobs = object.segments.map((s) => s.blob);
    this.pin(blobs);
    try {
      const body = await this.stream(object.segments, start, end);
      body.once('close', () => this.unpin(blobs));
      return { meta: object.meta, body };
    } catch (err) {
      this.unpin(blobs);
      throw err;
    }
  }

  async putObject(
    bucket: string,
    key: string,
    body: StagedBody,
    headers: ObjectHeaders,
    options: { forbidOverwrite?: boolean } = {},
  ): Promise<ObjectMeta> {
    return this.commitBody(
      body,
      (digest) => {
        if (digest.size > MAX_OBJECT_SIZE) throw tooLarge(digest.size, MAX_OBJECT_SIZE);
      },
      (state, blob, digest) => {
        const target = bucketIn(state, bucket);
        if (forbidsOverwrite(target, options) && target.objects.has(key)) throw new OssError('FileAlreadyExists');
        // An Appendable object overwritten by PutObject becomes Normal (docs/protocol.md#appendobject): the new version
        // replaces it whole.
        const meta = newVersion(target, normalMeta(bucket, key, headers, digest, this.now()));
        const object = storedObject(meta, [{ blob, size: digest.size }]);
        return { mutations: [{ type: 'putObject', object }], result: object.meta };
      },
    );
  }

  async appendObject(
    bucket: string,
    key: string,
    position: number,
    body: StagedBody,
    headers: ObjectHeaders,
  ): Promise<ObjectMeta> {
    return this.commitBody(body, undefined, (state, blob, digest) => {
      const target = bucketIn(state, bucket);
      const previous = target.objects.get(key);
      if (previous && previous.meta.objectType !== 'Appendable') throw new OssError('ObjectNotAppendable');
      const length = previous?.meta.size ?? 0;
      if (position !== length) {
        // oss2 fails to build its exception without this header (docs/protocol.md#error-catalogue,
        // docs/protocol.md#appendobject).
        throw new OssError('PositionNotEqualToLength', { headers: { 'x-oss-next-append-position': String(length) } });
      }
      if (length + digest.size > MAX_OBJECT_SIZE) throw tooLarge(length + digest.size, MAX_OBJECT_SIZE);
      // In a versioned bucket the append that creates the object (no current version, or a delete marker) makes a new
      // version; later appends change that version in place and make no previous version
      // (docs/protocol.md#versioning).
      const appended = appendedMeta(bucket, key, headers, previous?.meta, digest, this.now());
      const versionId = previous === undefined ? nextVersionId(target.info.versioning) : previous.meta.versionId;
      const meta = versionId === undefined ? appended : Object.freeze({ ...appended, versionId });
      return { mutations: [{ type: 'appendObject', meta, segment: { blob, size: digest.size } }], result: meta };
    });
  }

  async putSymlink(
    bucket: string,
    key: string,
    headers: ObjectHeaders & { symlinkTarget: string },
    options: { forbidOverwrite?: boolean } = {},
  ): Promise<ObjectMeta> {
    return this.commit((state) => {
      const target = bucketIn(state, bucket);
      if (forbidsOverwrite(target, options) && target.objects.has(key)) throw new OssError('FileAlreadyExists');
      const object = storedObject<B>(newVersion(target, symlinkMeta(bucket, key, headers)), []);
      return { mutations: [{ type: 'putObject', object }], result: object.meta };
    });
  }

  async updateObjectMeta(
    bucket: string,
    key: string,
    change: (meta: ObjectMeta) => Partial<MutableObjectFields>,
    versionId?: string,
  ): Promise<ObjectMeta> {
    return this.commit((state) => {
      const current = addressedObject(bucketIn(state, bucket), key, versionId).meta;
      const meta = withMutableFields(current, change(current));
      return { mutations: [{ type: 'updateMeta', meta }], result: meta };
    });
  }

  async deleteObject(bucket: string, key: string, options: { versionId?: string } = {}): Promise<DeleteOutcome> {
    const { versionId } = options;
    if (versionId !== undefined) checkVersionId(versionId);
    return this.commit((state) => {
      const target = bucketIn(state, bucket);
      if (!isVersioned(target)) {
        // only the null version exists; any other ID names nothing, which is no error (developer-reference/deleteobject)
        if (versionId !== undefined && versionId !== NULL_VERSION_ID) {
          return { mutations: [], result: { versionId, deleteMarker: false, changed: false } };
        }
        const changed = target.objects.has(key);
        const result: DeleteOutcome = {
          ...(versionId === undefined ? {} : { versionId }),
          deleteMarker: false,
          changed,
        };
        return { mutations: changed ? [{ type: 'deleteObject', bucket, key }] : [], result };
      }
      if (versionId === undefined) {
        // a delete marker becomes the current version, whether or not the key had one (deleteobject, Versioning)
        const marker = nextVersionId(target.info.versioning)!;
        return {
          mutations: [
            { type: 'putDeleteMarker', bucket, key, versionId: marker, lastModified: wholeSeconds(this.now()) },
          ],
          result: { versionId: marker, deleteMarker: true, changed: true },
        };
      }
      const record = target.versions.get(key)?.find((r) => r.versionId === versionId);
      if (record === undefined) return { mutations: [], result: { versionId, deleteMarker: false, changed: false } };
      return {
        mutations: [{ type: 'deleteVersion', bucket, key, versionId }],
        result: { versionId, deleteMarker: 'marker' in record, changed: true },
      };
    });
  }

  async listObjects(
    bucket: string,
    options: { prefix?: string; after?: string; limit?: number },
  ): Promise<ObjectMeta[]> {
    const target = bucketIn(this.live(), bucket);
    const limit = options.limit ?? Infinity;
    const result: ObjectMeta[] = [];
    if (limit <= 0) return result;
    for (const key of target.keys.range(options.prefix, options.after)) {
      result.push(target.objects.get(key)!.meta);
      if (result.length >= limit) break;
    }
    return result;
  }

  async listObjectVersions(bucket: string, options: ListVersionsOptions): Promise<VersionPage> {
    return versionPage(bucketIn(this.live(), bucket), options);
  }

  // Multipart

  async initiateUpload(
    bucket: string,
    key: string,
    headers: ObjectHeaders,
    options: { forbidOverwrite?: boolean } = {},
  ): Promise<UploadInfo> {
    return this.commit((state) => {
      const target = bucketIn(state, bucket);
      // docs/protocol.md#multipart: x-oss-forbid-overwrite is checked at Initiate too; the existing object stays until
      // completion.
      if (forbidsOverwrite(target, options) && target.objects.has(key)) throw new OssError('FileAlreadyExists');
      const info: UploadInfo = Object.freeze({
        bucket,
        key,
        uploadId: newUploadId(state),
        initiated: wholeSeconds(this.now()),
      });
      return { mutations: [{ type: 'initiateUpload', info, headers: frozenHeaders(headers) }], result: info };
    });
  }

  async putPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: StagedBody,
    ec: string = ecOf('UploadPart', 'NoSuchUpload'),
  ): Promise<PartInfo> {
    return this.commitBody(
      body,
      (digest) => {
        checkPartNumber(partNumber);
        if (digest.size > MAX_PART_SIZE) throw tooLarge(digest.size, MAX_PART_SIZE);
      },
      (state, blob, digest) => {
        openUploadIn(state, bucket, key, uploadId, ec);
        const part = { info: partInfo(partNumber, digest, this.now()), blob };
        return { mutations: [{ type: 'putPart', bucket, uploadId, part }], result: part.info };
      },
    );
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<PartInfo[]> {
    const upload = openUploadIn(this.live(), bucket, key, uploadId, ecOf('ListParts', 'NoSuchUpload'));
    return [...upload.parts.values()].map((p) => p.info).sort((a, b) => a.partNumber - b.partNumber);
  }

  async listUploads(bucket: string): Promise<UploadInfo[]> {
    const uploads = [...bucketIn(this.live(), bucket).uploads.values()].map((u) => u.info);
    return uploads.sort((a, b) => compareKeys(a.key, b.key) || compareKeys(a.uploadId, b.uploadId));
  }

  async completeUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: CompletePartRef[] | 'all',
    options: { forbidOverwrite?: boolean } = {},
  ): Promise<ObjectMeta> {
    return this.commit((state) => {
      const upload = openUploadIn(state, bucket, key, uploadId, ecOf('CompleteMultipartUpload', 'NoSuchUpload'));
      const chosen = selectParts(upload.parts, parts);
      const target = bucketIn(state, bucket);
      if (forbidsOverwrite(target, options) && target.objects.has(key)) {
        throw new OssError('FileAlreadyExists', { ec: ecOf('CompleteMultipartUpload', 'FileAlreadyExists') }); // docs/protocol.md#error-catalogue
      }
      const meta = newVersion(
        target,
        multipartMeta(
          bucket,
          key,
          upload.headers,
          chosen.map((p) => p.info),
          this.now(),
        ),
      );
      const object = storedObject(
        meta,
        chosen.map((p) => ({ blob: p.blob, size: p.info.size })),
      );
      // One batch: the upload's unlisted parts are freed, the listed ones move to the object.
      return {
        mutations: [
          { type: 'finishUpload', bucket, uploadId, status: 'completed' },
          { type: 'putObject', object },
        ],
        result: meta,
      };
    });
  }

  async abortUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.commit((state) => {
      openUploadIn(state, bucket, key, uploadId, ecOf('AbortMultipartUpload', 'NoSuchUpload'));
      return { mutations: [{ type: 'finishUpload', bucket, uploadId, status: 'aborted' }], result: undefined };
    });
  }

  async assertUploadOpen(
    bucket: string,
    key: string,
    uploadId: string,
    ec: string = ecOf('UploadPart', 'NoSuchUpload'),
  ): Promise<void> {
    openUploadIn(this.live(), bucket, key, uploadId, ec);
  }

  async uploadStatus(uploadId: string): Promise<{ bucket: string; key: string; status: UploadStatus } | undefined> {
    const state = this.live();
    const finished = state.finished.get(uploadId);
    if (finished) return { ...finished };
    for (const bucket of state.buckets.values()) {
      const upload = bucket.uploads.get(uploadId);
      if (upload) return { bucket: upload.info.bucket, key: upload.info.key, status: 'initiated' };
    }
    return undefined;
  }

  async listFinishedUploads(): Promise<FinishedUploadInfo[]> {
    return [...this.live().finished].reverse().map(([uploadId, f]) => ({ uploadId, ...f }));
  }

  // Commit machinery

  private live(): StoreState<B> {
    if (this.phase !== 'open') throw new Error(`store is ${this.phase === 'new' ? 'not opened' : 'closed'}`);
    return this.state;
  }

  /**
   * One critical section. `orphan`: a blob promoted for this commit, freed if the plan refuses or persisting fails
   * (once persisted the index owns it).
   */
  private async commit<T>(plan: Plan<B, T>, orphan?: B): Promise<T> {
    const { result, dropped, changed } = await this.commits.run(async () => {
      let planned: Planned<B, T>;
      try {
        planned = plan(this.live());
        if (planned.mutations.length > 0) await this.backend.persist(planned.mutations);
      } catch (err) {
        if (orphan !== undefined) await this.free(orphan);
        throw err;
      }
      const freed = applyMutations(this.state, planned.mutations);
      if (planned.mutations.length > 0) await this.backend.committed(this.state, planned.mutations);
      return { result: planned.result, dropped: freed, changed: planned.mutations.length > 0 };
    });
    // Outside the section, so the next commit can write while this one's line is synced (group commit). Answered
    // only once durable; the blobs it replaced stay until then, so a crash before that finds the old version whole.
    if (changed) await this.backend.durable();
    await Promise.all(dropped.map((blob) => this.dropBlob(blob)));
    return result;
  }

  /** A commit of a request body: the store owns the body from here on, whatever happens. */
  private async commitBody<T>(
    body: StagedBody,
    precheck: ((digest: BodyDigest) => void) | undefined,
    plan: (state: StoreState<B>, blob: B, digest: BodyDigest) => Planned<B, T>,
  ): Promise<T> {
    this.live();
    const claimed = this.backend.claim(body);
    try {
      precheck?.(claimed.digest);
    } catch (err) {
      await claimed.drop();
      throw err;
    }
    const blob = await claimed.promote();
    return this.commit((state) => plan(state, blob, claimed.digest), blob);
  }

  private pin(blobs: readonly B[]): void {
    for (const blob of blobs) this.readers.set(blob, (this.readers.get(blob) ?? 0) + 1);
  }

  private unpin(blobs: readonly B[]): void {
    for (const blob of blobs) {
      const count = (this.readers.get(blob) ?? 1) - 1;
      if (count > 0) {
        this.readers.set(blob, count);
        continue;
      }
      this.readers.delete(blob);
      if (this.freeAfterRead.delete(blob)) void this.free(blob);
    }
  }

  private async dropBlob(blob: B): Promise<void> {
    if (this.readers.has(blob)) this.freeAfterRead.add(blob);
    else await this.free(blob);
  }

  private async free(blob: B): Promise<void> {
    try {
      await this.backend.release(blob);
    } catch {
      // An unreferenced blob left behind costs disk space only; the file store collects it at the next open().
    }
  }

  /**
   * Bytes [start, end) of an object, segment after segment, pulled on demand (backpressure from the consumer). The
   * first segment is opened before this resolves, so a missing file is an error before any byte is sent; later ones
   * are opened as the stream reaches them (their blobs are pinned, so they cannot disappear meanwhile).
   */
  private async stream(segments: readonly Segment<B>[], start: number, end: number): Promise<Readable> {
    const pieces: Array<{ blob: B; from: number; to: number }> = [];
    let offset = 0;
    for (const { blob, size } of segments) {
      const from = Math.max(start, offset);
      const to = Math.min(end, offset + size);
      if (from < to) pieces.push({ blob, from: from - offset, to: to - offset });
      offset += size;
    }
    const [head, ...rest] = pieces;
    if (!head) return Readable.from([], { objectMode: false });
    const backend = this.backend;
    if (rest.length > 0 && backend.heldChunks !== undefined) {
      const held = backend.heldChunks.bind(backend);
      const heldChunks = function* (): Generator<Buffer> {
        for (const piece of pieces) yield* held(piece.blob, piece.from, piece.to);
      };
      return Readable.from(gathered(heldChunks()), { objectMode: false });
    }
    // a short object read whole at once: one open, read and close instead of a file stream, and bytes in memory
    // that a small GET sends with its headers (egress/response-body.ts)
    if (rest.length === 0 && backend.readShort !== undefined && head.to - head.from <= GATHER_BYTES) {
      return new HeldBytes([await backend.readShort(head.blob, head.from, head.to)]);
    }
    const first = await this.backend.read(head.blob, head.from, head.to);
    if (rest.length === 0) return first;
    async function* segmentChunks(): AsyncGenerator<Buffer> {
      yield* first;
      for (const piece of rest) {
        if (backend.readShort !== undefined && piece.to - piece.from <= GATHER_BYTES) {
          yield await backend.readShort(piece.blob, piece.from, piece.to);
        } else {
          yield* await backend.read(piece.blob, piece.from, piece.to);
        }
      }
    }
    const body = Readable.from(gathered(segmentChunks()), { objectMode: false });
    // destroyed before the generator ever ran: `first` holds an open file
    body.once('close', () => first.destroy());
    return body;
  }
}

/**
 * Chunks under this size are gathered into one of about this size before they are sent: an object of many small
 * segments (thousands of appends) would otherwise go out one tiny socket write per segment.
 */
const GATHER_BYTES = 64 * 1024;

/** The same bytes in the same order, with runs of small chunks joined into chunks of at least GATHER_BYTES. */
async function* gathered(chunks: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let heldBytes = 0;
  const release = (): Buffer => {
    const out = held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes);
    held = [];
    heldBytes = 0;
    return out;
  };
  for await (const chunk of chunks) {
    if (chunk.length >= GATHER_BYTES) {
      if (heldBytes > 0) yield release();
      yield chunk;
      continue;
    }
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes >= GATHER_BYTES) yield release();
  }
  if (heldBytes > 0) yield release();
}

function sameSettings(existing: BucketInfo, requested: Omit<BucketInfo, 'creationDate'>): boolean {
  return (
    existing.location === requested.location &&
    existing.storageClass === requested.storageClass &&
    existing.dataRedundancyType === requested.dataRedundancyType
  );
}

function storedObject<B>(meta: ObjectMeta, segments: Segment<B>[]): StoredObject<B> {
  return Object.freeze({ meta, segments: Object.freeze(segments) as Segment<B>[] });
}

/**
 * x-oss-forbid-overwrite has no effect once a bucket is versioned: a write then adds a version
 * (developer-reference/putobject, x-oss-forbid-overwrite).
 */
function forbidsOverwrite(bucket: BucketState<unknown>, options: { forbidOverwrite?: boolean }): boolean {
  return options.forbidOverwrite === true && !isVersioned(bucket);
}

/** A new version's meta names its version in a versioned bucket (a new ID while Enabled, null while Suspended). */
function newVersion(bucket: BucketState<unknown>, meta: ObjectMeta): ObjectMeta {
  const versionId = nextVersionId(bucket.info.versioning);
  return versionId === undefined ? meta : Object.freeze({ ...meta, versionId });
}

function bucketIn<B>(state: StoreState<B>, bucket: string): BucketState<B> {
  const found = state.buckets.get(bucket);
  if (!found) throw noSuchBucket(bucket);
  return found;
}

/** An upload ID of another bucket or key is as unknown as a made-up one (docs/protocol.md#multipart). */
function openUploadIn<B>(
  state: StoreState<B>,
  bucket: string,
  key: string,
  uploadId: string,
  ec: string,
): OpenUpload<B> {
  const upload = bucketIn(state, bucket).uploads.get(uploadId);
  if (!upload || upload.info.key !== key) throw noSuchUpload(ec);
  return upload;
}

/** 32 uppercase hex, random (docs/protocol.md#multipart): 128 bits, and never one the store knows (open or remembered
 * as finished). */
function newUploadId<B>(state: StoreState<B>): string {
  for (;;) {
    const id = randomBytes(16).toString('hex').toUpperCase();
    const known = state.finished.has(id) || [...state.buckets.values()].some((b) => b.uploads.has(id));
    if (!known) return id;
  }
}
