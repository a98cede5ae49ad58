// The default store: the index and the bytes live in this process. A blob is the list of Buffers a body arrived in
// (no concatenation; only small views are copied, see writeBytes); versions share them, so an append or a Complete
// costs no byte copies.

import type { Readable } from 'node:stream';
import type { ClaimedBody, StoreBackend } from './backend.js';
import { HeldBytes } from './held-bytes.js';
import { IndexedStore } from './indexed-store.js';
import { StagedBodyBase } from './staged-body.js';
import { emptyState, type StoreState } from './state.js';
import type { StagedBody } from './store.js';

export interface MemoryBlob {
  readonly chunks: readonly Buffer[];
}

class MemoryStagedBody extends StagedBodyBase {
  readonly chunks: Buffer[] = [];

  constructor(readonly owner: MemoryBackend) {
    super();
  }

  protected async writeBytes(chunks: readonly Buffer[]): Promise<void> {
    // A chunk from the http parser is a view into the socket's (64 KiB) read buffer. Kept as is, a small body would
    // pin that whole buffer for the object's life, and an appendable object one per append; such a view is copied.
    for (const chunk of chunks) {
      this.chunks.push(chunk.byteLength * 2 < chunk.buffer.byteLength ? Buffer.from(chunk) : chunk);
    }
  }

  async *readWritten(): AsyncIterable<Buffer> {
    yield* this.chunks;
  }

  protected async finishBytes(): Promise<void> {}

  protected async dropBytes(): Promise<void> {
    this.chunks.length = 0;
  }
}

class MemoryBackend implements StoreBackend<MemoryBlob> {
  async open(): Promise<StoreState<MemoryBlob>> {
    return emptyState();
  }

  async close(): Promise<void> {}

  async stage(): Promise<StagedBody> {
    return new MemoryStagedBody(this);
  }

  claim(body: StagedBody): ClaimedBody<MemoryBlob> {
    if (!(body instanceof MemoryStagedBody) || body.owner !== this) {
      throw new TypeError('StagedBody was not created by this store');
    }
    const digest = body.claim();
    return {
      digest,
      promote: async () => Object.freeze({ chunks: Object.freeze([...body.chunks]) }),
      drop: async () => {},
    };
  }

  async persist(): Promise<void> {}

  async durable(): Promise<void> {}

  async committed(): Promise<void> {}

  async read(blob: MemoryBlob, start: number, end: number): Promise<Readable> {
    return new HeldBytes(slices(blob.chunks, start, end));
  }

  heldChunks(blob: MemoryBlob, start: number, end: number): Iterable<Buffer> {
    return slices(blob.chunks, start, end);
  }

  async release(): Promise<void> {}
}

function* slices(chunks: readonly Buffer[], start: number, end: number): Generator<Buffer> {
  let offset = 0;
  for (const chunk of chunks) {
    const from = Math.max(start, offset);
    const to = Math.min(end, offset + chunk.length);
    if (from < to) yield chunk.subarray(from - offset, to - offset);
    offset += chunk.length;
    if (offset >= end) return;
  }
}

export class MemoryStore extends IndexedStore<MemoryBlob> {
  constructor() {
    super(new MemoryBackend());
  }
}
