// Memory-store specifics; the shared semantics are in store.test.ts (run on both stores).
import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.js';
import { BUCKET, HEADERS, digestOf } from './test-support/fixtures.js';

describe('MemoryStore', () => {
  it('does not pin a whole socket read buffer for a small body, and keeps big chunks without copying', async () => {
    const store = new MemoryStore();
    await store.open();
    await store.createBucket(BUCKET);
    const readBuffer = Buffer.alloc(64 * 1024, 7); // what the http parser hands out views of
    const small = readBuffer.subarray(100, 100 + 4096);
    const big = Buffer.alloc(64 * 1024, 9);
    for (const [key, chunk] of [
      ['small', small],
      ['big', big],
    ] as const) {
      const body = await store.createStagedBody();
      await body.write(chunk);
      await body.seal(await digestOf(chunk));
      await store.putObject(BUCKET.name, key, body, HEADERS);
    }
    const stored = async (key: string): Promise<Buffer[]> => {
      const { body } = await store.readObject(BUCKET.name, key);
      const out: Buffer[] = [];
      for await (const c of body) out.push(c as Buffer);
      return out;
    };
    const [smallStored] = await stored('small');
    expect(smallStored!.equals(small)).toBe(true);
    expect(smallStored!.buffer.byteLength).toBeLessThan(readBuffer.buffer.byteLength / 2);
    const [bigStored] = await stored('big');
    expect(bigStored!.buffer).toBe(big.buffer);
    await store.close();
  });
});
