// The lifecycle every StagedBody shares (store.ts atomicity contract):
//   open --seal--> sealed --claim--> claimed (a commit call owns it)
//   open | sealed | broken --discard--> discarded;  a failed write or seal --> broken
// Only a sealed body can be committed, and once a commit call has claimed it, discard() is a no-op: the store
// decides whether the bytes are kept (commit succeeded) or dropped (commit threw).

import type { BodyDigest, StagedBody } from './store.js';

type Phase = 'open' | 'sealing' | 'sealed' | 'claimed' | 'broken' | 'discarded';

export abstract class StagedBodyBase implements StagedBody {
  private phase: Phase = 'open';
  private written = 0;
  private digest: BodyDigest | undefined;
  /** The first failed write: the body can then only be discarded. */
  private failure: unknown;
  /** Pending writes and the seal's flush, in order; never rejects, so discard can always wait for it. */
  private busy: Promise<void> = Promise.resolve();

  /** Store the bytes; called one batch at a time, in order. */
  protected abstract writeBytes(chunks: readonly Buffer[]): Promise<void>;
  /** Make the written bytes durable (file store: fsync, close). */
  protected abstract finishBytes(): Promise<void>;
  /** Forget the bytes; must tolerate whatever state the other two hooks left. */
  protected abstract dropBytes(): Promise<void>;

  get bytesWritten(): number {
    return this.written;
  }

  write(chunk: Buffer): Promise<void> {
    return this.writev([chunk]);
  }

  writev(chunks: readonly Buffer[]): Promise<void> {
    if (this.phase !== 'open') return Promise.reject(new Error(`cannot write to a ${this.phase} body`));
    const done = this.busy.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      if (this.phase === 'discarded') throw new Error('body discarded');
      await this.writeBytes(chunks);
      for (const chunk of chunks) this.written += chunk.length;
    });
    this.busy = done.catch((err: unknown) => {
      this.failure ??= err;
    });
    return done;
  }

  async seal(digest: BodyDigest): Promise<void> {
    if (this.phase !== 'open') throw new Error(`cannot seal a ${this.phase} body`);
    this.phase = 'sealing';
    const sealing = this.busy.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      if (this.phase !== 'sealing') throw new Error(`body was ${this.phase} while sealing`);
      if (digest.size !== this.written) {
        throw new Error(`body sealed with size ${digest.size} but ${this.written} bytes were written`);
      }
      await this.finishBytes();
    });
    this.busy = sealing.catch(() => undefined);
    try {
      await sealing;
    } catch (err) {
      if (this.phase === 'sealing') this.phase = 'broken';
      throw err;
    }
    // discard() may have run while the bytes were being flushed
    if (this.phase !== 'sealing') throw new Error(`body was ${this.phase} while sealing`);
    this.phase = 'sealed';
    this.digest = digest;
  }

  async discard(): Promise<void> {
    if (this.phase === 'claimed' || this.phase === 'discarded') return;
    this.phase = 'discarded';
    await this.busy;
    await this.dropBytes();
  }

  /** For the store's commit calls: take ownership of a sealed body, synchronously (a racing discard() then no-ops). */
  claim(): BodyDigest {
    if (this.phase !== 'sealed' || !this.digest) throw new Error(`cannot commit a ${this.phase} body`);
    this.phase = 'claimed';
    return this.digest;
  }
}
