// A client that goes away mid-body commits nothing: the previous version stays, a new key never appears, an interrupted
// part is never listed and its upload ID stays valid (docs/architecture.md#guarantees).
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xmlBody, xmlList } from './http/test-support/test-mock.js';
import { startMockOss, type MockOssHandle } from './index.js';

let mock: MockOssHandle;

/** Starts a request promising `length` bytes, sends `sent` of them, and leaves it hanging. */
function partialPut(path: string, length: number, sent: number): http.ClientRequest {
  const req = http.request({
    host: '127.0.0.1',
    port: mock.port,
    method: 'PUT',
    path,
    headers: { 'content-length': String(length), 'content-type': 'text/plain' },
  });
  req.on('error', () => undefined);
  req.write(Buffer.alloc(sent, 'n'));
  return req;
}

/** Waits (bounded) for the server to log the aborted body of `key`. */
async function abortedBody(key: string, since: number): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const event = mock.control.events(since).find((e) => e.type === 'body.aborted' && e.key === key);
    if (event !== undefined && event.type === 'body.aborted') return event.bytesReceived;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no body.aborted event for ${key}`);
}

async function cutAfter(path: string, key: string, extra: Record<string, string | number> = {}): Promise<number> {
  const since = mock.control.health().lastEventSeq;
  const req = partialPut(path, 1_000_000, 200_000);
  await mock.control.wait({
    match: { bucket: 'cut-bucket', keyPrefix: key, ...extra },
    minBytes: 100_000,
    timeoutMs: 10_000,
  });
  req.destroy();
  return abortedBody(key, since);
}

describe.each(['memory', 'file'] as const)('a PUT cut mid-body (%s store)', (store) => {
  let dataDir: string | undefined;
  beforeAll(async () => {
    dataDir = store === 'file' ? await mkdtemp(join(tmpdir(), 'oss-mock-cut-')) : undefined;
    mock = await startMockOss({ auth: false, dataDir });
    await fetch(`${mock.endpoint}/cut-bucket`, { method: 'PUT' });
  });
  afterAll(async () => {
    await mock.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('leaves the previous version intact', async () => {
    await fetch(`${mock.endpoint}/cut-bucket/obj`, { method: 'PUT', body: 'old version' });
    const received = await cutAfter('/cut-bucket/obj', 'obj');
    expect(received).toBeGreaterThanOrEqual(100_000);
    expect(received).toBeLessThan(1_000_000);
    const got = await fetch(`${mock.endpoint}/cut-bucket/obj`);
    expect([got.status, await got.text()]).toEqual([200, 'old version']);
    expect(mock.control.inflight()).toEqual([]);
    expect(mock.control.events().some((e) => e.type === 'object.committed' && e.key === 'obj' && e.size > 100)).toBe(
      false,
    );
  });

  it('never creates a new key', async () => {
    await cutAfter('/cut-bucket/fresh', 'fresh');
    expect((await fetch(`${mock.endpoint}/cut-bucket/fresh`)).status).toBe(404);
  });

  it('never lists an interrupted part, and the upload ID stays usable', async () => {
    const init = await fetch(`${mock.endpoint}/cut-bucket/mp?uploads`, { method: 'POST' });
    const uploadId = xmlBody(await init.text()).UploadId as string;
    const partPath = (n: number) => `/cut-bucket/mp?partNumber=${n}&uploadId=${uploadId}`;
    await fetch(`${mock.endpoint}${partPath(1)}`, { method: 'PUT', body: 'first' });
    await cutAfter(partPath(2), 'mp', { partNumber: 2 });
    const parts = xmlBody(await (await fetch(`${mock.endpoint}/cut-bucket/mp?uploadId=${uploadId}`)).text());
    expect(xmlList(parts.Part).map((p) => p.PartNumber)).toEqual(['1']);
    const again = await fetch(`${mock.endpoint}${partPath(2)}`, { method: 'PUT', body: 'second' });
    expect(again.status).toBe(200);
  });
});

describe('close() with a body in flight', () => {
  it('discards the partial body and resolves', async () => {
    const other = await startMockOss({ auth: false });
    await fetch(`${other.endpoint}/close-bucket`, { method: 'PUT' });
    const req = http.request({
      host: '127.0.0.1',
      port: other.port,
      method: 'PUT',
      path: '/close-bucket/k',
      headers: { 'content-length': '1000000' },
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(10_000));
    await other.control.wait({ match: { bucket: 'close-bucket' }, minBytes: 10_000, timeoutMs: 10_000 });
    await other.close();
    expect(other.control.events().some((e) => e.type === 'object.committed')).toBe(false);
    expect(other.control.events().some((e) => e.type === 'body.aborted')).toBe(true);
  });
});
