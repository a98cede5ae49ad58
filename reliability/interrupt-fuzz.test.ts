// Interrupted uploads never leave partial objects, short or phantom parts, or in-flight entries, on both stores. The
// soak (`npm run soak`) runs the same fuzz with thousands of uploads.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from '../mock-server/index.js';
import { runInterruptFuzz } from './interrupt-fuzz.js';
import { seedFrom } from './prng.js';
import { send } from '../testkit/requests.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function fuzz(mock: MockOssHandle, seed: number) {
  expect((await send(mock, { method: 'PUT', bucket: 'fuzz-bucket' })).status).toBe(200);
  return runInterruptFuzz(mock, {
    seed,
    uploads: 240,
    concurrency: 6,
    maxBodyBytes: 192 * 1024,
    bucket: 'fuzz-bucket',
  });
}

describe('interrupt fuzz', () => {
  it('memory store: exactly the acknowledged uploads survive, byte-exact', async () => {
    const mock = await startMockOss({ accessKeySecret: 'fuzz-secret' });
    try {
      const { figures, violations } = await fuzz(mock, seedFrom(process.env, 8001));
      expect(violations).toEqual([]);
      expect(figures.attempts).toBe(240);
      // the mix really happened: each kind of outcome occurred
      expect(figures.committed).toBeGreaterThan(40);
      expect(figures.cutByClient).toBeGreaterThan(20);
      expect(figures.cutByFault + figures.refusedByFault).toBeGreaterThan(20);
      expect(mock.control.inflight()).toEqual([]);
    } finally {
      await mock.close();
    }
  });

  it('file store: the same, and no staged body is left behind', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'oss-fuzz-'));
    dirs.push(dir);
    const mock = await startMockOss({ dataDir: dir });
    try {
      const { figures, violations } = await fuzz(mock, seedFrom(process.env, 8002));
      expect(violations).toEqual([]);
      expect(figures.committed).toBeGreaterThan(40);
      expect(await readdir(path.join(dir, 'staging'))).toEqual([]);
    } finally {
      await mock.close();
    }
  });
});
