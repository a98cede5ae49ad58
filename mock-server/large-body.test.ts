// Large bodies through a listening server, on both stores: ali-oss (unmodified) uploads bodies that take the MD5
// worker path and reads back the ETag and CRC-64 the server computed; an upload its client cuts mid-way commits
// nothing and leaves no worker job or ring behind (ingest/md5-worker.ts).
import OSS from 'ali-oss';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../protocol/crc64.js';
import { hashWorkerState, PARALLEL_MD5_MIN_BYTES } from './ingest/md5-worker.js';
import { startMockOss, type MockOssHandle } from './index.js';

const MiB = 1024 * 1024;

describe.each(['memory', 'file'] as const)('large bodies, %s store', (store) => {
  let mock: MockOssHandle;
  let dir: string;
  let client: OSS;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oss-mock-large-'));
    // unsigned, so the cut upload can come from a raw socket (ali-oss signs anyway)
    mock = await startMockOss(store === 'file' ? { auth: false, dataDir: join(dir, 'data') } : { auth: false });
    client = new OSS({
      endpoint: mock.endpoint,
      region: 'oss-cn-hangzhou',
      accessKeyId: mock.accessKeyId,
      accessKeySecret: mock.accessKeySecret,
      bucket: 'large',
    } as OSS.Options);
    await client.putBucket('large');
  });
  afterAll(async () => {
    await mock.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ali-oss PUT of a body over the threshold: ETag and x-oss-hash-crc64ecma are those of the bytes', async () => {
    const body = randomBytes(PARALLEL_MD5_MIN_BYTES + 98_765);
    const before = (await hashWorkerState()).started;
    const put = await client.put('big', body);
    expect((await hashWorkerState()).started).toBe(before + 1);
    const md5 = createHash('md5').update(body).digest('hex').toUpperCase();
    expect(put.res.headers).toMatchObject({ etag: `"${md5}"`, 'x-oss-hash-crc64ecma': (await crc64(body)).toString() });
    const got = await client.get('big');
    expect(Buffer.compare(got.content as Buffer, body)).toBe(0);
    expect((await hashWorkerState()).jobs).toBe(0);
  });

  it('a throttled body over the threshold is hashed inline (x-oss-traffic-limit): same ETag and CRC-64', async () => {
    const body = randomBytes(PARALLEL_MD5_MIN_BYTES + 4321);
    const before = (await hashWorkerState()).started;
    // 838,860,800 bit/s (100 MiB/s) is the highest x-oss-traffic-limit OSS accepts
    const put = await client.put('paced', body, { headers: { 'x-oss-traffic-limit': '838860800' } });
    expect((await hashWorkerState()).started).toBe(before);
    const md5 = createHash('md5').update(body).digest('hex').toUpperCase();
    expect(put.res.headers).toMatchObject({ etag: `"${md5}"`, 'x-oss-hash-crc64ecma': (await crc64(body)).toString() });
  });

  it('an upload cut by its client mid-body commits nothing and leaves no job or ring behind', async () => {
    const since = mock.control.events().at(-1)?.seq ?? 0;
    const socket = net.connect({ host: '127.0.0.1', port: mock.port });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`PUT /large/cut HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${64 * MiB}\r\n\r\n`);
    socket.write(randomBytes(6 * MiB));
    await mock.control.wait({ match: { key: 'cut' }, minBytes: 6 * MiB, timeoutMs: 20_000 });
    socket.destroy();
    for (let i = 0; i < 500 && mock.control.inflight().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(mock.control.inflight()).toEqual([]);
    const events = mock.control.events(since);
    expect(events.filter((e) => e.type === 'body.aborted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'object.committed')).toEqual([]);
    await expect(client.head('cut')).rejects.toMatchObject({ status: 404 });
    expect(await hashWorkerState()).toMatchObject({ jobs: 0, ringsLent: 0, workerJobs: 0 });
  });
});

describe('the MD5 worker and the servers using it', () => {
  it('is started by the first large body and stopped when the last server closes', async () => {
    const a = await startMockOss({ auth: false });
    const b = await startMockOss({ auth: false });
    try {
      await fetch(`${a.endpoint}/worker-life`, { method: 'PUT' });
      const body = randomBytes(PARALLEL_MD5_MIN_BYTES);
      expect((await fetch(`${a.endpoint}/worker-life/k`, { method: 'PUT', body })).status).toBe(200);
      expect((await hashWorkerState()).running).toBe(true);
      await a.close();
      expect((await hashWorkerState()).running).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
    expect((await hashWorkerState()).running).toBe(false);
  });
});
