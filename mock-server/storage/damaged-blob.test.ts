// A blob of the file store truncated behind its back (only the file store keeps bytes where something else can
// damage them): a GET never sends a short body under the full Content-Length and leaves the client waiting. Found
// at the open, the answer is 500 InternalError; found while the body is being sent, the connection is cut. Either
// way an `object.unreadable` event and a log line say what broke, and a copy of the object stores nothing.
import OSS from 'ali-oss';
import http from 'node:http';
import { mkdtemp, readdir, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { v1Headers } from '../http/test-support/test-mock.js';
import { startMockOss, type MockOssHandle } from '../index.js';
import { rejection } from '../../testkit/rejection.js';

let mock: MockOssHandle;
let dataDir: string;
let client: OSS;
const SIZE = 1024 * 1024;
const body = Buffer.alloc(SIZE, 'd');

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'oss-mock-damaged-'));
  mock = await startMockOss({ dataDir });
  client = new OSS({
    endpoint: mock.endpoint,
    region: `oss-${mock.region}`,
    bucket: 'damaged',
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
    // a hang fails in seconds, not at the test timeout
    timeout: 10_000,
  });
  await client.putBucket('damaged');
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  await mock.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Puts `key` and returns the path of the one blob it added. */
async function putAndFindBlob(key: string): Promise<string> {
  const before = new Set(await readdir(join(dataDir, 'blobs')));
  await client.put(key, body);
  const added = (await readdir(join(dataDir, 'blobs'))).filter((name) => !before.has(name));
  expect(added).toHaveLength(1);
  return join(dataDir, 'blobs', added[0]!);
}

function unreadableEvents(since: number, key: string) {
  return mock.control.events(since).filter((e) => e.type === 'object.unreadable' && e.key === key);
}

describe('a blob truncated on disk', () => {
  it('answers the GET 500 InternalError when the open finds it short, with an event and a log line', async () => {
    const blob = await putAndFindBlob('short.bin');
    await truncate(blob, 1000);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const since = mock.control.health().lastEventSeq;
    const err = await rejection(client.get('short.bin'));
    expect([err.status, err.code]).toEqual([500, 'InternalError']);
    expect(unreadableEvents(since, 'short.bin')).toHaveLength(1);
    expect(String(logged.mock.calls.flat().join(' '))).toContain('stored bytes missing');
    // a range inside what is left is still served
    const head = await client.get('short.bin', { headers: { Range: 'bytes=0-99' } });
    expect((head.content as Buffer).length).toBe(100);
  });

  it('refuses to copy it rather than store a short copy', async () => {
    const blob = await putAndFindBlob('source.bin');
    await truncate(blob, 4096);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const err = await rejection(client.copy('copy.bin', 'source.bin'));
    expect([err.status, err.code]).toEqual([500, 'InternalError']);
    expect((await rejection(client.head('copy.bin'))).status).toBe(404);
  });

  it('cuts the connection of a GET when the blob shrinks while it is sent', async () => {
    const blob = await putAndFindBlob('shrinking.bin');
    await mock.control.addRule({ match: { keyPrefix: 'shrinking' }, egressRate: 128 * 1024 });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const since = mock.control.health().lastEventSeq;
    const headers = v1Headers(mock, { method: 'GET', bucket: 'damaged', key: 'shrinking.bin', query: [] });
    const outcome = await new Promise<{ received: number; length: number; ended: string }>((resolve, reject) => {
      http
        .get(`${mock.endpoint}/damaged/shrinking.bin`, { headers }, (res) => {
          let received = 0;
          let truncated = false;
          res.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (!truncated) {
              truncated = true;
              truncate(blob, 0).catch(reject);
            }
          });
          const length = Number(res.headers['content-length']);
          res.on('end', () => resolve({ received, length, ended: 'end' }));
          res.on('error', () => resolve({ received, length, ended: 'error' }));
          res.on('aborted', () => resolve({ received, length, ended: 'aborted' }));
        })
        .on('error', reject);
    });
    expect(outcome.length).toBe(SIZE);
    expect(outcome.received).toBeLessThan(SIZE);
    expect(outcome.ended).not.toBe('end');
    expect(unreadableEvents(since, 'shrinking.bin')).toHaveLength(1);
    await mock.control.clearRules();
  });
});
