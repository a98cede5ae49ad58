// Crash safety: the CLI (type-stripped to JavaScript, no build needed) on a data dir, SIGKILLed at random moments
// during concurrent uploads, completes and aborts, restarted each time. The soak runs many more rounds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transpileForNode } from '../conformance/test-support/transpile.js';
import { runCrashIterations } from './crash-run.js';
import { seedFrom } from './prng.js';
import { spawnServer } from '../testkit/server-process.js';

let out: string;
let dataDir: string;

beforeAll(async () => {
  out = await transpileForNode(['protocol', 'cli', 'mock-server']);
  dataDir = await mkdtemp(path.join(tmpdir(), 'oss-crash-'));
}, 60_000);
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
});

describe('SIGKILL during concurrent writes', () => {
  it('keeps every acknowledged write, shows nothing partial, and keeps upload IDs in their state', async () => {
    const { figures, violations } = await runCrashIterations({
      seed: seedFrom(process.env, 8401),
      iterations: 5,
      dataDir,
      workers: 6,
      killAfterMs: [0, 300],
      minAcknowledged: 12,
      start: () =>
        spawnServer({
          cliPath: path.join(out, 'mock-server/cli.js'),
          dataDir,
          accessKeyId: 'crash-id',
          accessKeySecret: 'crash-secret',
        }),
    });
    expect(violations).toEqual([]);
    expect(figures.iterations).toBe(5);
    // the kills really landed mid-work, and there was work to lose
    expect(figures.acknowledged).toBeGreaterThan(50);
    expect(figures.inFlightAtKill).toBeGreaterThan(0);
    expect(figures.objectsVerified).toBeGreaterThan(20);
    expect(figures.uploadsVerified).toBeGreaterThan(5);
  }, 60_000);
});
