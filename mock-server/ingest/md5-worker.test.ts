// The worker path of large bodies (ingest/md5-worker.ts): the same digests as inline hashing whatever the size and
// however the bytes arrive, nothing held once a body ends or is cut, and a worker that goes away mid-body costs the
// body nothing (it is hashed again inline from what the sink holds).
import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { crc64 } from '../../protocol/crc64.js';
import type { MockControl } from '../control/control.js';
import { testControl } from '../control/test-support/control-fixture.js';
import type { Exchange } from '../exchange/exchange.js';
import { receiveBody } from './body-reader.js';
import { BodyAbortedError } from './errors.js';
import { MemorySink } from './memory-sink.js';
import { hashWorkerState, PARALLEL_MD5_MIN_BYTES, stopHashWorker } from './md5-worker.js';
import { put, startExchangeServer, type ExchangeServer, type Outcome } from './test-support/exchange-server.js';

const MiB = 1024 * 1024;
const T = PARALLEL_MD5_MIN_BYTES;
/** the worker's ring is 4 slots of 2 MiB: a body crossing both and wrapping around the ring */
const SLOT = 2 * MiB;

let server: ExchangeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Received {
  size: number;
  md5: string;
  crc64: string;
}

async function bodyServer(
  control: MockControl,
  onBody?: (sink: MemorySink) => void,
): Promise<{ server: ExchangeServer; sinks: MemorySink[] }> {
  const sinks: MemorySink[] = [];
  server = await startExchangeServer(control, async (ex: Exchange) => {
    const sink = new MemorySink();
    sinks.push(sink);
    onBody?.(sink);
    const digest = await receiveBody(ex, control, sink);
    return { size: digest.size, md5: digest.md5.toString('hex'), crc64: digest.crc64.toString() } satisfies Received;
  });
  return { server, sinks };
}

function value(o: Outcome): Received {
  if (!o.ok) throw o.error;
  return o.value as Received;
}

async function expected(body: Buffer): Promise<Received> {
  return {
    size: body.length,
    md5: createHash('md5').update(body).digest('hex'),
    crc64: (await crc64(body)).toString(),
  };
}

/** A seeded generator, so a failing size can be reproduced from the test's output. */
function sizesFrom(seed: number, n: number, max: number): number[] {
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(x % max);
  }
  return out;
}

async function nothingHeld(): Promise<void> {
  expect(await hashWorkerState()).toMatchObject({ jobs: 0, ringsLent: 0, workerJobs: 0 });
}

describe('MD5 on the worker thread', () => {
  it('gives the digests of inline hashing for sizes around the threshold, the ring slots and random ones', async () => {
    const control = testControl();
    const { server } = await bodyServer(control);
    const sizes = [0, 1, T - 1, T, T + 1, T + SLOT - 1, ...sizesFrom(19, 3, 2 * T)];
    for (const size of sizes) {
      const body = randomBytes(size);
      const before = (await hashWorkerState()).started;
      const answer = await put(server.port, `/k${size}`, body);
      expect(answer.status, `size ${size}`).toBe(200);
      expect(value(await server.outcome()), `size ${size}`).toEqual(await expected(body));
      // the worker path exactly from the threshold up; chunked bodies (unknown length) stay inline
      expect((await hashWorkerState()).started - before, `size ${size}`).toBe(size >= T ? 1 : 0);
    }
    const body = randomBytes(T + 12345);
    const before = (await hashWorkerState()).started;
    await put(server.port, '/chunked', body, { chunked: true });
    expect(value(await server.outcome())).toEqual(await expected(body));
    expect((await hashWorkerState()).started).toBe(before);
    await nothingHeld();
  });

  it('gives the same digests when the bytes arrive in odd pieces (a throttle cuts them at other boundaries)', async () => {
    const control = testControl();
    control.addRule({ match: { keyPrefix: 'slow' }, ingestRate: 64 * MiB });
    const { server } = await bodyServer(control);
    for (const size of sizesFrom(7, 2, T).map((n) => n + T)) {
      const body = randomBytes(size);
      await put(server.port, `/slow${size}`, body);
      expect(value(await server.outcome()), `size ${size}`).toEqual(await expected(body));
    }
    await nothingHeld();
  });

  it('a large body cut by its client mid-way stops the job and frees its ring: nothing committed, nothing held', async () => {
    const control = testControl();
    const { server, sinks } = await bodyServer(control);
    let clientReq: http.ClientRequest | undefined;
    const sent = randomBytes(3 * SLOT + 4321);
    // promised 4 rings long, cut after about one and a half
    const p = put(server.port, '/cut', sent, {
      headers: { 'content-length': String(16 * SLOT) },
      onRequest: (r) => (clientReq = r),
    }).catch(() => undefined);
    await control.wait({ minBytes: sent.length, timeoutMs: 20_000 });
    expect((await hashWorkerState()).jobs).toBe(1);
    clientReq!.destroy();
    await p;
    const o = await server.outcome();
    expect(o.ok).toBe(false);
    expect((o as { error: unknown }).error).toBeInstanceOf(BodyAbortedError);
    expect(sinks[0]!.discarded).toBe(true);
    expect(sinks[0]!.digest).toBeUndefined();
    expect(control.inflight()).toEqual([]);
    await nothingHeld();
  });

  it('the ring a cut body gave back serves the next body, whose digests cover its own bytes only', async () => {
    const control = testControl();
    const { server } = await bodyServer(control);
    let clientReq: http.ClientRequest | undefined;
    // the cut body fills the whole ring with one byte value, so stale bytes would change the next body's MD5
    const cut = Buffer.alloc(4 * SLOT + 4321, 0xaa);
    const p = put(server.port, '/stale', cut, {
      headers: { 'content-length': String(T + 4 * SLOT) },
      onRequest: (r) => (clientReq = r),
    }).catch(() => undefined);
    await control.wait({ minBytes: cut.length, timeoutMs: 20_000 });
    clientReq!.destroy();
    await p;
    expect((await server.outcome()).ok).toBe(false);
    // the ring is back in the pool once the worker confirmed the cancel: the next job takes it
    await nothingHeld();
    // ends part-way into a slot, where the cut body's bytes are still in the ring
    const next = randomBytes(T + 3 * SLOT + 5);
    expect((await put(server.port, '/fresh', next)).status).toBe(200);
    expect(value(await server.outcome())).toEqual(await expected(next));
    await nothingHeld();
  });

  it('a worker that goes away mid-body: the body is hashed again inline and gets the right digests', async () => {
    const control = testControl();
    // the worker is stopped once the sink holds part of the body (more than one slot has gone to the worker)
    let stopped: Promise<void> | undefined;
    const { server } = await bodyServer(control, (sink) => {
      const writev = sink.writev.bind(sink);
      sink.writev = async (chunks) => {
        await writev(chunks);
        if (stopped === undefined && sink.bytesWritten > 3 * SLOT) stopped = stopHashWorker();
      };
    });
    const body = randomBytes(T + SLOT + 777);
    expect((await put(server.port, '/crash', body)).status).toBe(200);
    expect(stopped).toBeDefined();
    await stopped;
    expect(value(await server.outcome())).toEqual(await expected(body));
    await nothingHeld();
    // the next large body starts a new worker
    const again = randomBytes(T + 1);
    const before = (await hashWorkerState()).started;
    await put(server.port, '/after', again);
    expect(value(await server.outcome())).toEqual(await expected(again));
    expect((await hashWorkerState()).started).toBe(before + 1);
    await nothingHeld();
  });
});
