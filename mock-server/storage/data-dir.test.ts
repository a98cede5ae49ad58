// A data dir is one server's: a second server on it refuses to start with a clear message, a lock whose owner is gone
// (killed, pid reused, garbage) is taken over, and a directory that cannot be used is refused at once (under /proc
// too). bin.test.ts runs the same with real processes and SIGKILL.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from '../index.js';
import { DataDirLock, LOCK_PREFIX, lockGenerations, type LockOwner } from './data-dir.js';
import { rejection } from '../../testkit/rejection.js';

let root: string;
let dir: string;
const started: MockOssHandle[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oss-mock-datadir-'));
  dir = join(root, 'data');
});
afterEach(async () => {
  for (const mock of started.splice(0)) await mock.close();
  await rm(root, { recursive: true, force: true });
});

async function start(): Promise<MockOssHandle> {
  const mock = await startMockOss({ auth: false, dataDir: dir });
  started.push(mock);
  return mock;
}

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

async function writeLock(owner: Partial<LockOwner>): Promise<void> {
  await start().then((m) => m.close()); // creates the directory
  started.length = 0;
  await writeFile(join(dir, `${LOCK_PREFIX}1`), JSON.stringify({ host: hostname(), startedAt: 'then', ...owner }));
}

describe('one server per data dir', () => {
  it('refuses a second server on the directory while the first runs, and serves again once it closed', async () => {
    const first = await start();
    await fetch(`${first.endpoint}/locked`, { method: 'PUT' });
    const err = await rejection<Error>(startMockOss({ auth: false, dataDir: dir }));
    expect(err.name).toBe('DataDirLockedError');
    expect(err.message).toContain(`is in use by another oss-mock (pid ${process.pid} on ${hostname()}`);
    expect(err.message).toContain(`delete ${join(dir, LOCK_PREFIX)}1.`);
    // the refused server touched nothing: the first still serves and its lock is intact
    expect((await fetch(`${first.endpoint}/locked/k`, { method: 'PUT', body: 'kept' })).status).toBe(200);
    expect(await lockGenerations(dir)).toEqual([1]);
    await first.close();
    expect(await lockGenerations(dir)).toEqual([]);

    const second = await start();
    expect(await (await fetch(`${second.endpoint}/locked/k`)).text()).toBe('kept');
  });

  it('takes over the lock of a process that is gone', async () => {
    await writeLock({ pid: deadPid() });
    const mock = await start();
    expect((await fetch(`${mock.endpoint}/health-bucket`, { method: 'PUT' })).status).toBe(200);
    // the dead owner's lock 1 is superseded by lock 2, then removed
    expect(await lockGenerations(dir)).toEqual([2]);
    const owner = JSON.parse(await readFile(join(dir, `${LOCK_PREFIX}2`), 'utf8')) as LockOwner;
    expect(owner.pid).toBe(process.pid);
  });

  it.runIf(existsSync('/proc/self/stat'))('takes over a lock whose pid now belongs to another process', async () => {
    // this process's pid, but a start time it does not have: the pid was reused after the owner died
    await writeLock({ pid: process.pid, startTicks: '1' });
    await start();
  });

  it('takes over a lock left before a reboot and an unreadable one', async () => {
    await writeLock({ pid: process.pid, bootId: 'another-boot' });
    await (await start()).close();
    started.length = 0;
    await writeFile(join(dir, `${LOCK_PREFIX}7`), 'not json');
    await start();
  });

  it('respects a lock from another host, which cannot be checked', async () => {
    await writeLock({ pid: deadPid(), host: 'some-other-host' });
    const err = await rejection<Error>(start());
    expect(err.message).toContain('in use by another oss-mock');
    expect(err.message).toContain('some-other-host');
  });

  it('lets exactly one of many concurrent starters take over a stale lock', async () => {
    const dead = deadPid();
    await writeLock({ pid: dead });
    for (let round = 0; round < 8; round++) {
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => DataDirLock.acquire(dir)));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect((r.reason as Error).name).toBe('DataDirLockedError');
      }
      expect(await lockGenerations(dir)).toEqual([2]);
      await (won[0] as PromiseFulfilledResult<DataDirLock>).value.release();
      expect(await lockGenerations(dir)).toEqual([]);
      await writeFile(join(dir, `${LOCK_PREFIX}1`), JSON.stringify({ pid: dead, host: hostname(), startedAt: 'then' }));
    }
  });
});

describe('a data dir that cannot be used', () => {
  it.runIf(existsSync('/proc/self'))('refuses /proc/nope at once instead of spinning', async () => {
    const err = await rejection<Error>(startMockOss({ dataDir: '/proc/nope' }));
    expect(err.message).toMatch(/^--data-dir \/proc\/nope is not usable: .*ENOENT/);
  });

  it('refuses a path under a regular file and a regular file', async () => {
    await writeFile(join(root, 'file'), 'x');
    expect((await rejection<Error>(startMockOss({ dataDir: join(root, 'file', 'data') }))).message).toMatch(
      /is not usable: .*ENOTDIR/,
    );
    expect((await rejection<Error>(startMockOss({ dataDir: join(root, 'file') }))).message).toMatch(/is not usable/);
  });

  it('creates missing parents', async () => {
    dir = join(root, 'a', 'b', 'c');
    const mock = await start();
    expect((await fetch(`${mock.endpoint}/deep`, { method: 'PUT' })).status).toBe(200);
  });
});
