// An interrupted upload is never committed, and the mock knows at once: a body has arrived only when the body
// reader delivered its last byte through the throttle, so a client that closes (RST or FIN) before that, or leaves
// during a delay or a stall, interrupted it, even when node's parser already holds the whole small body. Real
// listening server, the project's OssClient, and raw sockets for exact RST/FIN.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OssClient } from '../client/client.js';
import { startMockOss, type MockOssHandle } from './index.js';

const KiB = 1024;
const LINUX = process.platform === 'linux';

let oss: MockOssHandle;
beforeAll(async () => {
  oss = await startMockOss({ auth: false });
});
afterAll(async () => {
  await oss.close();
});

async function bucket(name: string): Promise<string> {
  const res = await fetch(`${oss.endpoint}/${name}`, { method: 'PUT' });
  expect(res.status).toBe(200);
  return name;
}

/** A raw connection that sent a whole PUT (headers and body): the server's parser gets all of it at once. */
async function rawPut(path: string, body: Buffer): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port: oss.port });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n`);
  await new Promise<void>((resolve) => socket.write(body, () => resolve()));
  return socket;
}

function committed(since: number, b: string): string[] {
  return oss.control
    .events(since)
    .filter((e) => e.bucket === b && e.type === 'object.committed')
    .map((e) => e.key ?? '');
}

/** Lifts the throttle and waits until the server holds nothing of bucket `b`: only then is "nothing committed" final. */
async function releaseAndSettle(b: string): Promise<void> {
  oss.control.clearRules();
  for (let i = 0; i < 500 && oss.control.inflight().some((e) => e.bucket === b); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(oss.control.inflight().filter((e) => e.bucket === b)).toEqual([]);
}

describe('a small throttled body whose client aborted', () => {
  it('is never committed, and each abort is noticed and logged with the bytes the throttle released', async () => {
    const b = await bucket('small-throttled');
    const client = new OssClient({
      endpoint: oss.endpoint,
      accessKeyId: oss.accessKeyId,
      accessKeySecret: oss.accessKeySecret,
      retry: { maxRetries: 0 },
    });
    // 4 KiB/s: every upload reaches 2 KiB in about 0.5 s and the smallest would need 2 s to finish, leaving room
    // for uploads that start late on a busy machine
    oss.control.addRule({ match: { bucket: b }, ingestRate: 4 * KiB });
    const since = oss.control.health().lastEventSeq;
    const sizes = [8, 12, 16, 20, 24, 28, 30, 32].map((k) => k * KiB);
    const uploads = sizes.map((size, i) => client.putObject({ bucket: b, key: `k${i}`, body: Buffer.alloc(size, i) }));
    uploads.forEach((u) => u.catch(() => undefined));
    await oss.control.wait({ match: { bucket: b }, minBytes: 2 * KiB, count: sizes.length, timeoutMs: 10_000 });
    client.disableRequests();
    for (const outcome of await Promise.allSettled(uploads)) {
      expect(outcome.status).toBe('rejected');
      expect(['ClientError:200042', 'ClientError:100002']).toContain((outcome as PromiseRejectedResult).reason.code);
    }
    const aborted = await oss.control.wait({
      match: { bucket: b },
      until: 'aborted',
      count: sizes.length,
      timeoutMs: 10_000,
    });
    expect(aborted.map((e) => e.key).sort()).toEqual(sizes.map((_, i) => `k${i}`).sort());
    const logged = oss.control.events(since).filter((e) => e.type === 'body.aborted' && e.bucket === b);
    expect(logged).toHaveLength(sizes.length);
    for (const e of logged) {
      const size = sizes[Number(e.key?.slice(1))]!;
      expect((e as { bytesReceived: number }).bytesReceived).toBeGreaterThanOrEqual(2 * KiB);
      expect((e as { bytesReceived: number }).bytesReceived).toBeLessThan(size);
    }
    await releaseAndSettle(b);
    expect(committed(since, b)).toEqual([]);
    for (let i = 0; i < sizes.length; i++) expect((await fetch(`${oss.endpoint}/${b}/k${i}`)).status).toBe(404);
    client.close();
  });

  // 12 KiB: node's parser holds the whole body before the throttle released 1 KiB (the request is "complete");
  // 128 KiB: the parser stopped reading, the rest waits in the server's kernel, where only the kernel sees the FIN
  it.each([
    ['RST', 12],
    ['FIN', 12],
    ['RST', 128],
    ['FIN', 128],
  ] as const)('a raw client that sent all of it and closes with %s (%i KiB) is noticed', async (close, kib) => {
    const b = await bucket(`raw-${close.toLowerCase()}-${kib}`);
    // 512 B/s: the body would need 24 s or more to pass the throttle, far beyond the wait's timeout
    oss.control.addRule({ match: { bucket: b }, ingestRate: 512 });
    const since = oss.control.health().lastEventSeq;
    const socket = await rawPut(`/${b}/obj`, Buffer.alloc(kib * KiB, 7));
    await oss.control.wait({ match: { bucket: b, key: 'obj' }, minBytes: 1, timeoutMs: 10_000 });
    if (close === 'RST') socket.resetAndDestroy();
    else socket.end();
    if (close === 'FIN' && kib > 12 && !LINUX) return; // only Linux's /proc shows a FIN behind unread bytes
    const [entry] = await oss.control.wait({ match: { bucket: b, key: 'obj' }, until: 'aborted', timeoutMs: 10_000 });
    expect(entry!.bytesReceived).toBeLessThan(kib * KiB);
    socket.destroy();
    await releaseAndSettle(b);
    expect(committed(since, b)).toEqual([]);
    expect((await fetch(`${oss.endpoint}/${b}/obj`)).status).toBe(404);
  });
});

describe('a client that leaves during a delay or a stall', () => {
  it.each([
    ['delay', { delayMs: 600_000 }],
    ['stall before the body', { fault: { type: 'stall', stallMs: 600_000 } }],
    ['stall after 1 KiB', { fault: { type: 'stall', afterBytes: KiB, stallMs: 600_000 } }],
  ] as const)('is noticed at once (%s), and its complete body is not committed', async (_what, rule) => {
    const b = await bucket(`left-${_what.replace(/\W+/g, '-').toLowerCase()}`);
    oss.control.addRule({ match: { bucket: b }, ...rule });
    const since = oss.control.health().lastEventSeq;
    const socket = await rawPut(`/${b}/obj`, Buffer.alloc(8 * KiB, 1));
    for (let i = 0; i < 500 && !oss.control.events(since).some((e) => e.type === 'rule.matched'); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    socket.end();
    await oss.control.wait({ match: { bucket: b, key: 'obj' }, until: 'aborted', timeoutMs: 10_000 });
    socket.destroy();
    await releaseAndSettle(b);
    expect(committed(since, b)).toEqual([]);
  });

  it('a GET whose client resets during a delay is noticed, and close() never waits out a delay', async () => {
    const other = await startMockOss({ auth: false });
    await fetch(`${other.endpoint}/delayed-get`, { method: 'PUT' });
    other.control.addRule({ match: { bucket: 'delayed-get' }, delayMs: 600_000 });
    const socket = net.connect({ host: '127.0.0.1', port: other.port });
    socket.on('error', () => undefined);
    socket.write('GET /delayed-get/a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const hanging = fetch(`${other.endpoint}/delayed-get/b`).catch((e: unknown) => e);
    for (let i = 0; i < 500 && other.control.events().filter((e) => e.type === 'rule.matched').length < 2; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    socket.resetAndDestroy();
    const [gone] = await other.control.wait({
      match: { bucket: 'delayed-get', key: 'a' },
      until: 'aborted',
      timeoutMs: 10_000,
    });
    expect(gone).toMatchObject({ operation: 'GetObject', bytesReceived: 0 });
    // the second GET is still delayed: close() cuts it instead of waiting 600 s
    await other.close();
    expect(await hanging).toBeInstanceOf(Error);
  });
});
