// Group commit in the file store, through a real server and ali-oss: concurrent PUTs write their journal lines while
// an fdatasync runs and share the next one, and none is answered before an fdatasync that covers its line has
// finished. A failed shared fdatasync fails every PUT waiting on it and every later write. The journal's fdatasyncs
// are held and counted by wrapping FileHandle.datasync for the journal file only (matched by inode).
import OSS from 'ali-oss';
import { fstatSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMockOss, type MockOssHandle } from '../index.js';
import { JOURNAL_FILE } from './journal.js';

const PUTS = 8;

let root: string;
let mock: MockOssHandle | undefined;
/** held fdatasyncs are let go before the server closes, so a failing test fails instead of hanging its cleanup */
const gates: Array<() => void> = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oss-mock-group-commit-'));
});
afterEach(async () => {
  for (const release of gates.splice(0)) release();
  vi.restoreAllMocks();
  await mock?.close();
  mock = undefined;
  await rm(root, { recursive: true, force: true });
});

async function start(): Promise<OSS> {
  mock = await startMockOss({ dataDir: root });
  const client = new OSS({
    endpoint: mock.endpoint,
    region: `oss-${mock.region}`,
    bucket: 'group',
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
    timeout: 20_000,
  });
  await client.putBucket('group');
  return client;
}

/**
 * Wraps FileHandle.datasync: a call on the journal file waits for `held` (while one is set) before it syncs, or
 * fails with `failWith`. Counts the journal's fdatasyncs.
 */
async function watchJournalSyncs() {
  const probe = await open(join(root, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  const journalIno = (await stat(join(root, JOURNAL_FILE))).ino;
  const original = proto.datasync;
  const watch = {
    started: 0,
    held: undefined as Promise<void> | undefined,
    failWith: undefined as Error | undefined,
  };
  vi.spyOn(proto, 'datasync').mockImplementation(async function (this: FileHandle) {
    if (fstatSync(this.fd).ino === journalIno) {
      watch.started++;
      const held = watch.held;
      if (held !== undefined) await held;
      if (watch.failWith !== undefined) throw watch.failWith;
    }
    return original.call(this);
  });
  return watch;
}

async function journalLines(): Promise<number> {
  return (await readFile(join(root, JOURNAL_FILE), 'utf8')).split('\n').filter((l) => l.trim() !== '').length;
}

function gate() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  gates.push(release);
  return { promise, release };
}

function track<T>(p: Promise<T>) {
  const t = { settled: false, promise: p };
  p.then(
    () => (t.settled = true),
    () => (t.settled = true),
  );
  return t;
}

describe('file store group commit', () => {
  it('PUTs whose lines are written while an fdatasync runs share the next one, each answered once it is done', async () => {
    const client = await start();
    const watch = await watchJournalSyncs();
    const linesBefore = await journalLines();
    const hold = gate();
    watch.held = hold.promise;

    const bodies = Array.from({ length: PUTS }, (_, i) => Buffer.alloc(4096, 97 + i));
    const puts = bodies.map((body, i) => track(client.put(`k${i}`, body)));
    // Every line reaches the journal while the first fdatasync is held: commits do not wait for each other's sync.
    await vi.waitFor(async () => expect(await journalLines()).toBe(linesBefore + PUTS), {
      timeout: 15_000,
      interval: 20,
    });
    expect(watch.started).toBe(1);
    expect(puts.filter((p) => p.settled)).toEqual([]);

    watch.held = undefined;
    hold.release();
    await Promise.all(puts.map((p) => p.promise));
    // the held one (first line) and one shared by the seven written while it ran
    expect(watch.started).toBe(2);
    for (const [i, body] of bodies.entries()) expect((await client.get(`k${i}`)).content).toEqual(body);
  }, 30_000);

  it('a failed shared fdatasync fails every PUT waiting on it and every later write', async () => {
    const client = await start();
    const watch = await watchJournalSyncs();
    const linesBefore = await journalLines();
    const hold = gate();
    watch.held = hold.promise;
    vi.spyOn(console, 'error').mockImplementation(() => undefined);

    const puts = Array.from({ length: 4 }, (_, i) => track(client.put(`f${i}`, Buffer.alloc(100, 1))));
    await vi.waitFor(async () => expect(await journalLines()).toBe(linesBefore + 4), { timeout: 15_000, interval: 20 });
    watch.failWith = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    hold.release();
    const outcomes = await Promise.allSettled(puts.map((p) => p.promise));
    expect(outcomes.map((o) => [o.status, (o as { reason?: { status?: number } }).reason?.status])).toEqual(
      Array.from({ length: 4 }, () => ['rejected', 500]),
    );
    const later = await Promise.allSettled([client.put('after', Buffer.alloc(10, 2))]);
    expect(later[0].status).toBe('rejected');
    expect(watch.started).toBe(1);
  }, 30_000);
});
