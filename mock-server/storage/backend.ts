// What differs between the memory and the file store: where bytes and the index live. Everything else (the OSS
// semantics, the upload state machine, serialisation of commits, readers of replaced versions) is IndexedStore.

import type { Readable } from 'node:stream';
import type { Mutation, StoreState } from './state.js';
import type { BodyDigest, StagedBody } from './store.js';

/** A sealed body a commit call has taken over. */
export interface ClaimedBody<B> {
  readonly digest: BodyDigest;
  /** Make the bytes durable under a new blob name, not yet referenced by the index. Cleans up when it fails. */
  promote(): Promise<B>;
  /** Forget the bytes (the commit was refused before promote). */
  drop(): Promise<void>;
}

export interface StoreBackend<B> {
  /** The persisted index (empty for memory), after dropping whatever an earlier run left half-done. */
  open(): Promise<StoreState<B>>;
  close(): Promise<void>;
  stage(): Promise<StagedBody>;
  /** Synchronously takes over a sealed body this backend staged; throws for a foreign or unsealed body. */
  claim(body: StagedBody): ClaimedBody<B>;
  /**
   * Records a batch before it is applied (file store: writes its journal line); when it throws, nothing of the batch
   * persists. It is durable once durable() resolves.
   */
  persist(mutations: readonly Mutation<B>[]): Promise<void>;
  /**
   * Resolves once every batch persisted so far is durable (file store: one fdatasync shared by the batches persisted
   * meanwhile). Rejects when that could not be made sure; the backend then refuses later batches.
   */
  durable(): Promise<void>;
  /** After a batch was applied (the file store may compact its journal); never throws. */
  committed(state: StoreState<B>, mutations: readonly Mutation<B>[]): Promise<void>;
  /** Bytes [start, end) of a blob; resolves once the bytes are open for reading (file store: the fd). */
  read(blob: B, start: number, end: number): Promise<Readable>;
  /**
   * Bytes [start, end) of a blob already in memory, as the chunks it holds (memory store): an object of many
   * segments is then read without a stream per segment. Absent where reading needs I/O.
   */
  heldChunks?(blob: B, start: number, end: number): Iterable<Buffer>;
  /**
   * Bytes [start, end) of a blob as one buffer, for a short range (file store: an open, a read and a close instead
   * of a stream per segment). Throws StoredBytesMissingError when the blob ends before `end`.
   */
  readShort?(blob: B, start: number, end: number): Promise<Buffer>;
  /** Frees a blob nothing references and nobody reads any more. */
  release(blob: B): Promise<void>;
}
