// Group commit: one fsync for every write that finished before it started. Each caller of flush() waits for a sync
// that began after its own write completed (one already running may have missed it, so it waits for the next), and
// the writes that land while a sync runs share the one after it. A failed sync leaves what it covered unknown, so
// it fails every waiter and every later flush: the file can no longer promise anything.

export class GroupSync {
  /** flushes requested so far; a sync started after request n covers it */
  private requested = 0;
  /** every request up to this one is durable */
  private covered = 0;
  private running: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly sync: () => Promise<void>) {}

  /** The sync failure that stopped this file, if any. */
  get failed(): unknown {
    return this.failure;
  }

  /** Resolves once everything written before the call is durable; rejects once a sync has failed. */
  async flush(): Promise<void> {
    const ticket = ++this.requested;
    while (this.covered < ticket) {
      if (this.failure !== undefined) throw this.failure;
      if (this.running !== undefined) {
        await this.running.catch(() => undefined);
        continue;
      }
      const upTo = this.requested;
      this.running = this.sync().then(
        () => {
          this.covered = Math.max(this.covered, upTo);
          this.running = undefined;
        },
        (err: unknown) => {
          this.failure ??= err;
          this.running = undefined;
          throw err;
        },
      );
      await this.running.catch(() => undefined);
    }
    if (this.failure !== undefined && this.covered < ticket) throw this.failure;
  }

  /** Everything written so far is durable by other means (a snapshot replaced the file). */
  markCovered(): void {
    this.covered = this.requested;
  }
}
