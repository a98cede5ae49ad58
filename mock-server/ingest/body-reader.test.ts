import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { crc64 } from '../../protocol/crc64.js';
import { OssError } from '../../protocol/errors.js';
import type { Exchange } from '../exchange/exchange.js';
import type { MockControl } from '../control/control.js';
import { testControl } from '../control/test-support/control-fixture.js';
import type { MockEvent } from '../control/types.js';
import { receiveBody, receiveSmallBody } from './body-reader.js';
import { BodyAbortedError, FaultFiredError } from './errors.js';
import { beforeBody } from './faults.js';
import { MemorySink } from './memory-sink.js';
import {
  put,
  rawSocket,
  readAll,
  startExchangeServer,
  type ExchangeServer,
  type Outcome,
} from './test-support/exchange-server.js';

const KiB = 1024;
const MiB = 1024 * KiB;

let server: ExchangeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The server side of every test: beforeBody, then receiveBody into a MemorySink; the sinks are kept. */
async function bodyServer(
  control: MockControl,
  o: { maxSize?: number } = {},
): Promise<{ server: ExchangeServer; sinks: MemorySink[] }> {
  const sinks: MemorySink[] = [];
  server = await startExchangeServer(control, async (ex: Exchange) => {
    const sink = new MemorySink();
    sinks.push(sink);
    await beforeBody(ex, control);
    const md5 = ex.req.headers['content-md5'];
    const digest = await receiveBody(ex, control, sink, {
      ...o,
      ...(typeof md5 === 'string' ? { contentMd5: md5 } : {}),
    });
    return { size: digest.size, md5: digest.md5.toString('hex'), crc64: digest.crc64.toString() };
  });
  return { server, sinks };
}

function failure(o: Outcome): unknown {
  expect(o.ok).toBe(false);
  return (o as { error: unknown }).error;
}

function eventsOf(control: MockControl, type: MockEvent['type']): MockEvent[] {
  return control.events().filter((e) => e.type === type);
}

async function clientError(p: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  return (await p.then(
    () => expect.unreachable('the request should fail'),
    (err: unknown) => err,
  )) as NodeJS.ErrnoException;
}

describe('receiveBody: clean bodies', () => {
  it('a Content-Length body is hashed once, sealed and reported', async () => {
    const control = testControl();
    const { server, sinks } = await bodyServer(control);
    const body = randomBytes(300 * KiB);
    const res = await put(server.port, '/obj', body);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      size: body.length,
      md5: createHash('md5').update(body).digest('hex'),
      crc64: (await crc64(body)).toString(),
    });
    expect((await server.outcome()).ok).toBe(true);
    expect(sinks[0]!.buffer().equals(body)).toBe(true);
    expect(sinks[0]!.digest?.size).toBe(body.length);
    expect(control.inflight()).toEqual([]);
  });

  it('a chunked body is read to its end and listed in flight with contentLength null', async () => {
    const control = testControl();
    control.addRule({ ingestRate: 1 * MiB }); // slow enough to be seen in flight
    const { server } = await bodyServer(control);
    const body = randomBytes(200 * KiB);
    const seen = control.wait({ timeoutMs: 10_000 });
    const done = put(server.port, '/chunked', body, { chunked: true });
    expect((await seen)[0]).toMatchObject({ key: 'chunked', contentLength: null, operation: 'PutObject' });
    expect(JSON.parse((await done).body).size).toBe(body.length);
  });

  it('both Content-Length and chunked: the chunked framing wins', async () => {
    const control = testControl();
    const { server } = await bodyServer(control);
    const s = await rawSocket(server.port);
    const reply = readAll(s);
    s.write(
      'PUT /both HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n' +
        'a\r\n0123456789\r\n0\r\n\r\n',
    );
    expect(await reply).toContain('"size":10');
  });

  it('a matching Content-MD5 passes, a wrong one is 400 InvalidDigest and the body is discarded', async () => {
    const control = testControl();
    const { server, sinks } = await bodyServer(control);
    const body = Buffer.from('0123456789');
    const good = await put(server.port, '/md5', body, { headers: { 'content-md5': 'eB5eJF1ptWaXm4bijSPyxw==' } });
    expect(good.status).toBe(200);
    const bad = await put(server.port, '/md5', body, { headers: { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' } });
    expect([bad.status, bad.body]).toEqual([400, '<Error><Code>InvalidDigest</Code></Error>']);
    const garbled = await put(server.port, '/md5', body, { headers: { 'content-md5': 'not base64' } });
    expect(garbled.status).toBe(400);
    expect(sinks.map((s) => s.discarded)).toEqual([false, true, true]);
  });
});

describe('receiveBody: sizes and timeouts', () => {
  it('a promised length above maxSize is refused before reading, with Connection: close', async () => {
    const control = testControl();
    const { server, sinks } = await bodyServer(control, { maxSize: 100 });
    const res = await put(server.port, '/big', randomBytes(101));
    expect([res.status, res.body, res.headers.connection]).toEqual([
      400,
      '<Error><Code>InvalidArgument</Code></Error>',
      'close',
    ]);
    expect(sinks[0]!.bytesWritten).toBe(0);
  });

  it('a chunked body growing past maxSize is refused and discarded', async () => {
    const control = testControl();
    const { server, sinks } = await bodyServer(control, { maxSize: 100 * KiB });
    const res = await put(server.port, '/big', randomBytes(200 * KiB), { chunked: true }).catch((e: unknown) => e);
    // the client may see the answer, or a reset while it is still writing; the server side is what matters
    if (!(res instanceof Error)) expect((res as { status: number }).status).toBe(400);
    expect((failure(await server.outcome()) as OssError).code).toBe('InvalidArgument');
    expect(sinks[0]!.discarded).toBe(true);
    expect(sinks[0]!.bytesWritten).toBeLessThanOrEqual(100 * KiB);
  });

  it('a body that stops arriving is answered 400 RequestTimeout', async () => {
    const control = testControl({ bodyIdleTimeoutMs: 200 });
    const { server, sinks } = await bodyServer(control);
    const s = await rawSocket(server.port);
    const reply = readAll(s);
    s.write('PUT /idle HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789');
    const text = await reply;
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(text).toContain('<Code>RequestTimeout</Code>');
    expect(sinks[0]!.discarded).toBe(true);
    s.destroy();
  });

  it('receiveSmallBody returns the bytes, and refuses more than its limit as MalformedXML', async () => {
    const control = testControl();
    server = await startExchangeServer(control, async (ex) => (await receiveSmallBody(ex, control, 16)).toString());
    expect(JSON.parse((await put(server.port, '/x', Buffer.from('<a>small</a>'))).body)).toBe('<a>small</a>');
    const res = await put(server.port, '/x', Buffer.from('<a>far too large for the limit</a>'));
    expect([res.status, res.body]).toEqual([400, '<Error><Code>MalformedXML</Code></Error>']);
  });
});

describe('receiveBody: clients that go away', () => {
  it('a short Content-Length body: BodyAbortedError, body.aborted with the byte count, nothing left in flight', async () => {
    const control = testControl();
    const { server, sinks } = await bodyServer(control);
    const s = await rawSocket(server.port);
    s.write('PUT /short HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n' + 'x'.repeat(50));
    await control.wait({ minBytes: 50, timeoutMs: 10_000 });
    s.end();
    const err = failure(await server.outcome());
    expect(err).toBeInstanceOf(BodyAbortedError);
    expect((err as BodyAbortedError).bytesReceived).toBe(50);
    expect(eventsOf(control, 'body.aborted')).toEqual([
      expect.objectContaining({ key: 'short', bytesReceived: 50, operation: 'PutObject' }),
    ]);
    expect(sinks[0]!.discarded).toBe(true);
    expect(control.inflight()).toEqual([]);
  });

  it('a client that disconnects mid-body (FIN) is noticed with its exact byte count', async () => {
    const control = testControl();
    const { server, sinks } = await bodyServer(control);
    let clientReq: http.ClientRequest | undefined;
    const body = randomBytes(100 * KiB);
    // the body is promised 1 MiB long, but only 100 KiB are written before the client gives up
    const p = put(server.port, '/gone', body, {
      headers: { 'content-length': String(MiB) },
      onRequest: (r) => (clientReq = r),
    }).catch(() => undefined);
    await control.wait({ minBytes: body.length, timeoutMs: 10_000 });
    clientReq!.destroy();
    await p;
    const err = failure(await server.outcome());
    expect((err as BodyAbortedError).bytesReceived).toBe(body.length);
    expect(eventsOf(control, 'body.aborted')[0]).toMatchObject({ bytesReceived: body.length });
    expect(sinks[0]!.discarded).toBe(true);
    expect(control.inflight()).toEqual([]);
  });

  it('a client that resets mid-body while throttled is noticed during the throttle wait', async () => {
    const control = testControl();
    control.addRule({ match: { keyPrefix: 'slow' }, ingestRate: 256 * KiB });
    const { server, sinks } = await bodyServer(control);
    let clientReq: http.ClientRequest | undefined;
    const p = put(server.port, '/slow', randomBytes(4 * MiB), { onRequest: (r) => (clientReq = r) }).catch(
      () => undefined,
    );
    const [entry] = await control.wait({ match: { keyPrefix: 'slow' }, minBytes: 64 * KiB, timeoutMs: 10_000 });
    expect(entry!.bytesReceived).toBeLessThan(4 * MiB);
    // an RST discards what the kernels still buffer, so the server learns at its next read
    clientReq!.socket!.resetAndDestroy();
    await p;
    const err = failure(await server.outcome());
    expect(err).toBeInstanceOf(BodyAbortedError);
    const aborted = eventsOf(control, 'body.aborted');
    expect(aborted).toHaveLength(1);
    expect((aborted[0] as { bytesReceived: number }).bytesReceived).toBe((err as BodyAbortedError).bytesReceived);
    expect((err as BodyAbortedError).bytesReceived).toBeLessThan(4 * MiB);
    expect(sinks[0]!.discarded).toBe(true);
    expect(control.inflight()).toEqual([]);
  });

  it('a client that resets during a long stall is noticed without waiting for the stall to end', async () => {
    const control = testControl();
    control.addRule({ fault: { type: 'stall', afterBytes: 1000, stallMs: 600_000 } });
    const { server } = await bodyServer(control);
    let clientReq: http.ClientRequest | undefined;
    const p = put(server.port, '/stalled', randomBytes(MiB), { onRequest: (r) => (clientReq = r) }).catch(
      () => undefined,
    );
    await control.wait({ minBytes: 1000, timeoutMs: 10_000 });
    clientReq!.socket!.resetAndDestroy();
    await p;
    expect((failure(await server.outcome()) as BodyAbortedError).bytesReceived).toBe(1000);
    expect(control.inflight()).toEqual([]);
  });
});

describe('receiveBody: throttling', () => {
  it('a throttled upload is observed in flight, and speeds up when its rule is removed', async () => {
    const control = testControl();
    const rule = control.addRule({ match: { keyPrefix: 'big' }, ingestRate: 256 * KiB });
    const { server } = await bodyServer(control);
    const body = randomBytes(8 * MiB);
    const done = put(server.port, '/big', body);
    const [entry] = await control.wait({ match: { keyPrefix: 'big' }, minBytes: 128 * KiB, timeoutMs: 10_000 });
    expect(entry).toMatchObject({ key: 'big', contentLength: body.length });
    expect(entry!.bytesReceived).toBeGreaterThanOrEqual(128 * KiB);
    // at 256 KiB/s the 8 MiB body would need 32 s; it is still in flight, partially received
    const [now] = control.inflight();
    expect(now!.bytesReceived).toBeLessThan(body.length);
    expect(now!.rate).toBeGreaterThan(0);
    control.deleteRule(rule.id);
    const res = await done;
    expect(JSON.parse(res.body).size).toBe(body.length);
  });

  it('a default rate set at run time slows a request already in flight', async () => {
    const control = testControl();
    const { server } = await bodyServer(control);
    const s = await rawSocket(server.port);
    const reply = readAll(s);
    s.write(`PUT /later HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${4 * MiB}\r\n\r\n`);
    s.write(Buffer.alloc(16 * KiB));
    await control.wait({ minBytes: 16 * KiB, timeoutMs: 10_000 });
    control.setRates({ ingestRate: 128 * KiB });
    s.write(Buffer.alloc(4 * MiB - 16 * KiB));
    await control.wait({ minBytes: 64 * KiB, timeoutMs: 10_000 });
    expect(control.inflight()[0]!.bytesReceived).toBeLessThan(4 * MiB);
    control.setRates({ ingestRate: null });
    expect(await reply).toContain(`"size":${4 * MiB}`);
  });
});

describe('receiveBody and beforeBody: faults', () => {
  it('reset after N bytes: exactly N accepted, the client sees ECONNRESET', async () => {
    const control = testControl();
    control.addRule({ id: 'rst', fault: { type: 'reset', afterBytes: 64 * KiB + 1 } });
    const { server, sinks } = await bodyServer(control);
    const err = await clientError(put(server.port, '/f', randomBytes(MiB)));
    expect(['ECONNRESET', 'EPIPE']).toContain(err.code);
    const fired = failure(await server.outcome());
    expect(fired).toBeInstanceOf(FaultFiredError);
    expect(sinks[0]!.bytesWritten).toBe(64 * KiB + 1);
    expect(sinks[0]!.discarded).toBe(true);
    expect(eventsOf(control, 'fault.fired')).toEqual([
      expect.objectContaining({ ruleId: 'rst', fault: 'reset', atBytes: 64 * KiB + 1 }),
    ]);
    expect(eventsOf(control, 'body.aborted')).toEqual([]);
  });

  it('close after N bytes: no response, the client sees a hang-up', async () => {
    const control = testControl();
    control.addRule({ fault: { type: 'close', afterBytes: 1000 } });
    const { server, sinks } = await bodyServer(control);
    const err = await clientError(put(server.port, '/f', randomBytes(MiB)));
    expect(err.message).toBe('socket hang up');
    expect(failure(await server.outcome())).toBeInstanceOf(FaultFiredError);
    expect(sinks[0]!.bytesWritten).toBe(1000);
  });

  it('stall after N bytes: reading stops at N, then the body completes', async () => {
    const control = testControl();
    control.addRule({ fault: { type: 'stall', afterBytes: 1000, stallMs: 1000 } });
    const { server } = await bodyServer(control);
    const body = randomBytes(300 * KiB);
    const done = put(server.port, '/f', body);
    await control.wait({ minBytes: 1000, timeoutMs: 10_000 });
    expect(control.inflight()[0]!.bytesReceived).toBe(1000);
    expect(JSON.parse((await done).body).size).toBe(body.length);
    expect(eventsOf(control, 'fault.fired')[0]).toMatchObject({ fault: 'stall', atBytes: 1000 });
  });

  it('error after N bytes: the OSS error is answered and the connection closed', async () => {
    const control = testControl();
    control.addRule({ fault: { type: 'error', afterBytes: 1000, status: 503, code: 'SlowDown' } });
    const { server, sinks } = await bodyServer(control);
    const res = await put(server.port, '/f', randomBytes(100 * KiB));
    expect([res.status, res.body, res.headers.connection]).toEqual([
      503,
      '<Error><Code>SlowDown</Code></Error>',
      'close',
    ]);
    const err = failure(await server.outcome()) as OssError;
    expect([err.code, err.status]).toEqual(['SlowDown', 503]);
    expect(sinks[0]!.discarded).toBe(true);
  });

  it('faults without afterBytes fire before the body; `times` limits them', async () => {
    const control = testControl();
    control.addRule({ fault: { type: 'error' }, times: 1 });
    control.addRule({ match: { partNumber: 2 }, fault: { type: 'reset' } });
    const { server, sinks } = await bodyServer(control);
    const first = await put(server.port, '/a', Buffer.from('abc'));
    expect([first.status, first.body]).toEqual([500, '<Error><Code>InternalError</Code></Error>']);
    expect((await put(server.port, '/a', Buffer.from('abc'))).status).toBe(200);
    const err = await clientError(put(server.port, '/a?partNumber=2&uploadId=U', Buffer.from('abc')));
    expect(err.code).toBe('ECONNRESET');
    expect(sinks[2]!.bytesWritten).toBe(0);
    expect(eventsOf(control, 'fault.fired').map((e) => (e as { atBytes: number }).atBytes)).toEqual([0, 0]);
  });

  it('a client that leaves during a delay is reported as an aborted body', async () => {
    const control = testControl();
    control.addRule({ delayMs: 60_000 });
    const { server } = await bodyServer(control);
    const s = await rawSocket(server.port);
    s.write('PUT /delayed HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234');
    await new Promise<void>((resolve) => {
      const poll = (): void => {
        if (eventsOf(control, 'rule.matched').length > 0) resolve();
        else setTimeout(poll, 5);
      };
      poll();
    });
    s.destroy();
    const err = failure(await server.outcome());
    expect(err).toBeInstanceOf(BodyAbortedError);
    expect(eventsOf(control, 'body.aborted')[0]).toMatchObject({ bytesReceived: 0, key: 'delayed' });
  });
});
