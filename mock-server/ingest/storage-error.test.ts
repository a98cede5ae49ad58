// A storage error while a body is being staged (a full disk, an I/O error) is the server's failure, not the
// client's: the request is answered 500 InternalError at once, the staged bytes are discarded, nothing is
// committed, and the server goes on serving. The failure is injected where every store writes a body (the staged
// body's byte hook), so both stores take the same path a real ENOSPC takes; the last test fills a real tmpfs.
import OSS from 'ali-oss';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMockOss, type MockOssHandle } from '../index.js';
import { FileStore, MemoryStore, type Store } from '../storage/index.js';
import { rejection } from '../../testkit/rejection.js';

function noSpace(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
    errno: -28,
    syscall: 'write',
  });
}

type WriteBytes = (this: object, chunks: readonly Buffer[]) => Promise<void>;

/** The prototype that holds the store's byte-writing hook (StagedBodyBase subclasses share it per store). */
async function stagedBodyPrototype(store: Store): Promise<{ writeBytes: WriteBytes }> {
  await store.open();
  const probe = await store.createStagedBody();
  const proto = Object.getPrototypeOf(probe) as { writeBytes: WriteBytes };
  await probe.discard();
  await store.close();
  return proto;
}

describe.each(['memory', 'file'] as const)('a storage error while staging a body (%s store)', (kind) => {
  let mock: MockOssHandle;
  let dataDir: string | undefined;
  let scratch: string | undefined;
  let proto: { writeBytes: WriteBytes };
  let client: OSS;

  beforeAll(async () => {
    dataDir = kind === 'file' ? await mkdtemp(join(tmpdir(), 'oss-mock-enospc-')) : undefined;
    scratch = kind === 'file' ? await mkdtemp(join(tmpdir(), 'oss-mock-enospc-probe-')) : undefined;
    proto = await stagedBodyPrototype(scratch === undefined ? new MemoryStore() : new FileStore(scratch));
    mock = await startMockOss({ dataDir });
    client = new OSS({
      endpoint: mock.endpoint,
      region: `oss-${mock.region}`,
      bucket: 'full-disk',
      accessKeyId: mock.accessKeyId,
      accessKeySecret: mock.accessKeySecret,
      // a hang fails the test in seconds rather than at the test timeout
      timeout: 10_000,
    });
    await client.putBucket('full-disk');
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await mock.close();
    for (const dir of [dataDir, scratch]) if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** Fails every body write once `limit` bytes of that body were written, as a disk that fills up does. */
  function failAfter(limit: number): void {
    const original = proto.writeBytes;
    const written = new WeakMap<object, number>();
    vi.spyOn(proto, 'writeBytes').mockImplementation(async function (this: object, chunks) {
      let size = 0;
      for (const chunk of chunks) size += chunk.length;
      const before = written.get(this) ?? 0;
      if (before + size > limit) throw noSpace();
      written.set(this, before + size);
      return original.call(this, chunks);
    });
  }

  it('answers 500 InternalError at once, commits nothing, and keeps serving', async () => {
    failAfter(1024 * 1024);
    const body = Buffer.alloc(4 * 1024 * 1024, 'x');
    const err = await rejection(client.put('big.bin', body));
    expect(err.status).toBe(500);
    expect(err.code).toBe('InternalError');
    expect((await rejection(client.head('big.bin'))).status).toBe(404);
    vi.restoreAllMocks();

    const again = await client.put('big.bin', body);
    expect(again.res.status).toBe(200);
    const got = await client.get('big.bin');
    expect(Buffer.compare(got.content as Buffer, body)).toBe(0);
    if (dataDir !== undefined) expect(await readdir(join(dataDir, 'staging'))).toEqual([]);
  });

  it('answers a small body that fails at its only write the same way', async () => {
    // the whole body is parsed (and the request ended) before the write fails
    failAfter(0);
    const err = await rejection(client.put('small.txt', Buffer.from('hello')));
    expect(err.status).toBe(500);
    expect(err.code).toBe('InternalError');
    vi.restoreAllMocks();
    expect((await client.put('small.txt', Buffer.from('hello'))).res.status).toBe(200);
  });
});

/** Mounts a tmpfs of `size` on a new directory; undefined (with why) where that is not allowed (not root, a CI). */
function mountTmpfs(size: string): { dir: string } | { skip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'oss-mock-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const why = (err as { stderr?: Buffer }).stderr?.toString().trim() || String(err);
    return { skip: `cannot mount a tmpfs here (${why})` };
  }
}

/** Writes `path` until the filesystem holding it is full. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (const size of [1024 * 1024, 4096, 1]) {
      const block = Buffer.alloc(size);
      for (;;) {
        try {
          writeSync(fd, block);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe('a real full disk (a 20 MiB tmpfs as --data-dir)', () => {
  const mount = mountTmpfs('20m');
  afterAll(() => {
    if ('dir' in mount) {
      execFileSync('umount', [mount.dir]);
      rmSync(mount.dir, { recursive: true, force: true });
    }
  });

  it('answers a 30 MiB PUT, and a small one on a full disk, 500 InternalError; keeps serving; persists', async (ctx) => {
    if ('skip' in mount) return ctx.skip(mount.skip);
    let mock = await startMockOss({ dataDir: mount.dir, auth: false });
    try {
      // one keep-alive client: the request after the failure must not be stuck behind the unread rest of the body
      const client = new OSS({
        endpoint: mock.endpoint,
        region: `oss-${mock.region}`,
        bucket: 'disk',
        accessKeyId: 'any',
        accessKeySecret: 'any',
        timeout: 10_000,
      });
      await client.putBucket('disk');
      const err = await rejection(client.put('big.bin', Buffer.alloc(30 * 1024 * 1024, 'b')));
      expect(err.status).toBe(500);
      expect(err.code).toBe('InternalError');
      expect(await readdir(join(mount.dir, 'staging'))).toEqual([]);
      expect((await client.put('small.txt', Buffer.from('still serving'))).res.status).toBe(200);

      // a disk already full: the small body has ended (the request is complete) when its one write fails
      const filler = join(mount.dir, 'filler');
      fillDisk(filler);
      const full = await rejection(client.put('tiny.txt', Buffer.from('no room')));
      expect(full.status).toBe(500);
      expect(full.code).toBe('InternalError');
      rmSync(filler);
      expect((await client.put('tiny.txt', Buffer.from('room again'))).res.status).toBe(200);
    } finally {
      await mock.close();
    }
    mock = await startMockOss({ dataDir: mount.dir, auth: false });
    try {
      expect((await fetch(`${mock.endpoint}/disk/big.bin`)).status).toBe(404);
      expect(await (await fetch(`${mock.endpoint}/disk/small.txt`)).text()).toBe('still serving');
      expect(await (await fetch(`${mock.endpoint}/disk/tiny.txt`)).text()).toBe('room again');
    } finally {
      await mock.close();
    }
  });
});
