// An in-memory StagedBody: for small XML bodies (receiveSmallBody) and for tests.

import type { BodyDigest, StagedBody } from '../storage/store.js';

export class MemorySink implements StagedBody {
  private chunks: Buffer[] = [];
  private written = 0;
  digest: BodyDigest | undefined;
  discarded = false;

  get bytesWritten(): number {
    return this.written;
  }

  async write(chunk: Buffer): Promise<void> {
    this.chunks.push(chunk);
    this.written += chunk.length;
  }

  async writev(chunks: readonly Buffer[]): Promise<void> {
    for (const chunk of chunks) await this.write(chunk);
  }

  async seal(digest: BodyDigest): Promise<void> {
    this.digest = digest;
  }

  async discard(): Promise<void> {
    this.discarded = true;
    this.chunks = [];
  }

  async *readWritten(): AsyncIterable<Buffer> {
    yield* this.chunks;
  }

  buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
