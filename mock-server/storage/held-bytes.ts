// A body the store already holds in memory, as a stream: what the memory store's readObject answers. A reader that
// can use the bytes at once (a small GET with nothing to pace it) takes `chunks` instead of streaming them.
import { Readable } from 'node:stream';

export class HeldBytes extends Readable {
  private next = 0;
  /** the bytes, in order: views of the stored chunks, never copies */
  readonly chunks: readonly Buffer[];
  readonly size: number;

  constructor(chunks: Iterable<Buffer>) {
    super();
    this.chunks = [...chunks];
    this.size = this.chunks.reduce((n, c) => n + c.length, 0);
  }

  override _read(): void {
    for (;;) {
      if (this.next >= this.chunks.length) {
        this.push(null);
        return;
      }
      if (!this.push(this.chunks[this.next++])) return;
    }
  }
}
