// What the store lets go of: once an object is replaced or deleted, nothing in the store may keep its bytes alive (a
// replaced 1 GiB object must not stay resident until the next commit of any kind).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.js';
import { Mutex } from './mutex.js';
import { BUCKET, HEADERS, bytes, stage } from './test-support/fixtures.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage until `ref` is cleared (a few rounds: finalization and promise jobs run in between). */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let round = 0; round < 10 && ref.deref() !== undefined; round++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    gc();
  }
  return ref.deref() === undefined;
}

/** Runs one section that returns a fresh object; only a weak reference to that object comes back. */
async function runSection(mutex: Mutex): Promise<WeakRef<object>> {
  let ref: WeakRef<object> | undefined;
  await mutex.run(() => {
    const result = { big: Buffer.alloc(1024) };
    ref = new WeakRef(result);
    return result;
  });
  return ref!;
}

/** Stores a 256 KiB body under `key` and returns a weak reference to one of the chunks the store kept. */
async function putWatched(store: MemoryStore, key: string, seed: number): Promise<WeakRef<Buffer>> {
  const body = await stage(store, bytes(256 * 1024, seed), 4);
  // full-size chunks are kept as given, not copied: watch the first
  const ref = new WeakRef((body as unknown as { chunks: Buffer[] }).chunks[0]!);
  await store.putObject(BUCKET.name, key, body, HEADERS);
  return ref;
}

describe('retention', () => {
  it("the mutex does not hold on to the last section's result", async () => {
    const mutex = new Mutex();
    expect(await collected(await runSection(mutex))).toBe(true);
    // still in use afterwards (and so still reachable while the above was checked)
    expect(await mutex.run(() => 'next')).toBe('next');
  });

  it('a replaced and a deleted object of the memory store are freed at once, before any other commit', async () => {
    const store = new MemoryStore();
    await store.open();
    await store.createBucket(BUCKET);
    const replaced = await putWatched(store, 'k', 1);
    await store.putObject(BUCKET.name, 'k', await stage(store, bytes(1000, 2)), HEADERS);
    expect(await collected(replaced)).toBe(true);

    const deleted = await putWatched(store, 'gone', 3);
    await store.deleteObject(BUCKET.name, 'gone');
    expect(await collected(deleted)).toBe(true);
    await store.close();
  });
});
