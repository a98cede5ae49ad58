// The store's critical sections: validate against the index, persist, apply. They await I/O in the middle (the file
// store's journal), so check-and-transition is atomic only if sections never interleave.

/** Runs async sections one at a time, in call order; a failing section does not block the next. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(section: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(section);
    // the tail settles with nothing: holding the last section's result would keep whatever it returned alive until
    // the next section ran (a replaced object's bytes, in the memory store)
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
