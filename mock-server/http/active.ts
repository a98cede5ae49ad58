// The requests being handled, so close() can wait until every interrupted handler has discarded its staged body
// before the store closes.
export class ActiveRequests {
  private readonly pending = new Set<Promise<void>>();

  track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  get size(): number {
    return this.pending.size;
  }

  /** Resolves once no request is being handled (requests that arrive meanwhile are waited for too). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
