// The `oss-mock` bin as shipped: the one-file bundle scripts/bundle.mjs makes from the sources (package.json points
// the bin at it). Bundled here into a temp dir, so the test checks the current sources, then driven by ali-oss over
// a real socket, with a file store, and stopped with SIGTERM.
import OSS from 'ali-oss';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer } from '../testkit/server-process.js';

const root = path.resolve(import.meta.dirname, '..');
let work: string;
let bin: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'oss-mock-bin-'));
  // laid out as the package ships it: the bin finds the console's files through the package root
  bin = path.join(work, 'dist/bin/oss-mock.cjs');
  await mkdir(path.dirname(bin), { recursive: true });
  await writeFile(path.join(work, 'package.json'), JSON.stringify({ name: 'oss-mock' }));
  await cp(path.join(root, 'dist/console'), path.join(work, 'dist/console'), { recursive: true });
  await promisify(execFile)(process.execPath, [path.join(root, 'scripts/bundle.mjs'), bin]);
}, 60_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the bundled oss-mock bin', () => {
  it('is what package.json ships and starts with a node shebang', async () => {
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin['oss-mock']).toBe('dist/bin/oss-mock.cjs');
    expect((await readFile(bin, 'utf8')).split('\n', 1)[0]).toBe('#!/usr/bin/env node');
  });

  it('serves ali-oss from a file store, keeps the object across a restart and stops on SIGTERM', async () => {
    const dataDir = path.join(work, 'data');
    const start = () => spawnServer({ cliPath: bin, dataDir, accessKeyId: 'bin-id', accessKeySecret: 'bin-secret' });
    const clientFor = (port: number) =>
      new OSS({
        endpoint: `http://127.0.0.1:${port}`,
        accessKeyId: 'bin-id',
        accessKeySecret: 'bin-secret',
        bucket: 'bin-bucket',
      });
    const body = Buffer.from('bundled bytes '.repeat(1000));

    const first = await start();
    try {
      const oss = clientFor(first.ep.port);
      await oss.putBucket('bin-bucket');
      const put = await oss.put('k', body);
      expect(put.res.status).toBe(200);
    } finally {
      await first.stop();
    }
    expect(first.child.exitCode).toBe(0);

    const second = await start();
    try {
      const got = await clientFor(second.ep.port).get('k');
      expect(Buffer.compare(got.content as Buffer, body)).toBe(0);
      expect((got.res.headers as Record<string, string>)['x-oss-hash-crc64ecma']).toMatch(/^\d+$/);
    } finally {
      await second.stop();
    }
  }, 30_000);

  it('serves the web console from the dist/console of its package', async () => {
    const server = await spawnServer({ cliPath: bin, accessKeyId: 'ui-id', accessKeySecret: 'ui-secret' });
    try {
      const page = await fetch(`http://127.0.0.1:${server.ep.port}/_mock/ui/`);
      expect([page.status, await page.text()]).toEqual([
        200,
        await readFile(path.join(work, 'dist/console/index.html'), 'utf8'),
      ]);
      const script = await fetch(`http://127.0.0.1:${server.ep.port}/_mock/ui/app.js`);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    } finally {
      await server.stop();
    }
  }, 30_000);

  it('refuses a second server on the same data dir; a SIGKILLed one does not block its restart', async () => {
    const dataDir = path.join(work, 'locked');
    const start = () => spawnServer({ cliPath: bin, dataDir, accessKeyId: 'lock-id', accessKeySecret: 'lock-secret' });
    const oss = (port: number) =>
      new OSS({
        endpoint: `http://127.0.0.1:${port}`,
        accessKeyId: 'lock-id',
        accessKeySecret: 'lock-secret',
        bucket: 'lock-bucket',
      });
    const first = await start();
    let restarted: Awaited<ReturnType<typeof start>> | undefined;
    try {
      await oss(first.ep.port).putBucket('lock-bucket');
      await oss(first.ep.port).put('acknowledged', Buffer.from('by the first server'));
      const refused = await start().then(
        async (second) => {
          await second.stop();
          return 'started';
        },
        (err: unknown) => String(err),
      );
      expect(refused).toContain(`is in use by another oss-mock (pid ${first.child.pid} on `);
      // the refused server removed nothing: the first still serves what it acknowledged
      const got = await oss(first.ep.port).get('acknowledged');
      expect((got.content as Buffer).toString()).toBe('by the first server');

      await first.kill();
      restarted = await start();
      const again = await oss(restarted.ep.port).get('acknowledged');
      expect((again.content as Buffer).toString()).toBe('by the first server');
    } finally {
      await first.kill();
      await restarted?.stop();
    }
  }, 30_000);

  it('exits at once with a clear message for a data dir it cannot use', async () => {
    const dataDir = process.platform === 'linux' ? '/proc/nope' : path.join(work, 'file-not-dir', 'data');
    if (process.platform !== 'linux') await writeFile(path.join(work, 'file-not-dir'), 'x');
    const err = await spawnServer({ cliPath: bin, dataDir, accessKeyId: 'a', accessKeySecret: 'b' }).then(
      async (server) => {
        await server.stop();
        return 'started';
      },
      (e: unknown) => String(e),
    );
    expect(err).toContain(`exited with 1 before listening: oss-mock: --data-dir ${dataDir} is not usable:`);
  });
});
