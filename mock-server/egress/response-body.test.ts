import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { testControl } from '../control/test-support/control-fixture.js';
import { HeldBytes } from '../storage/held-bytes.js';
import { sendBody } from './response-body.js';
import { startExchangeServer, type ExchangeServer } from '../ingest/test-support/exchange-server.js';

const KiB = 1024;
const MiB = 1024 * KiB;

let server: ExchangeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A source of `total` bytes in 64 KiB chunks that records how far it was read and whether it was destroyed. */
function source(body: Buffer, failAfter?: number) {
  const state = { produced: 0, destroyed: false };
  const stream = new Readable({
    read() {
      if (failAfter !== undefined && state.produced >= failAfter) {
        this.destroy(new Error('disk on fire'));
        return;
      }
      const chunk = body.subarray(state.produced, state.produced + 64 * KiB);
      state.produced += chunk.length;
      this.push(chunk.length > 0 ? chunk : null);
    },
    destroy(err, cb) {
      state.destroyed = true;
      cb(err);
    },
  });
  return { stream, state };
}

function get(port: number, onData?: (received: number, req: http.ClientRequest) => void) {
  return new Promise<{ body: Buffer; complete: boolean }>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/o', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        received += c.length;
        onData?.(received, req);
      });
      res.on('close', () => resolve({ body: Buffer.concat(chunks), complete: res.complete }));
    });
    req.on('error', () => resolve({ body: Buffer.alloc(0), complete: false }));
  });
}

describe('sendBody', () => {
  it('sends the body unthrottled and ends the response', async () => {
    const control = testControl();
    const body = randomBytes(MiB + 5);
    server = await startExchangeServer(control, async (ex) => {
      ex.res.writeHead(200, { 'content-length': body.length });
      await sendBody(ex, source(body).stream);
    });
    const res = await get(server.port);
    expect(res.complete).toBe(true);
    expect(res.body.equals(body)).toBe(true);
    expect((await server.outcome()).ok).toBe(true);
  });

  it('throttles by the live egress rate: a slow rule holds the source back until it is removed', async () => {
    const control = testControl();
    const rule = control.addRule({ egressRate: 256 * KiB });
    const body = randomBytes(16 * MiB);
    const src = source(body);
    server = await startExchangeServer(control, async (ex) => {
      ex.res.writeHead(200, { 'content-length': body.length });
      await sendBody(ex, src.stream);
    });
    let producedEarly = -1;
    const res = await get(server.port, (received) => {
      if (producedEarly < 0 && received >= 64 * KiB) {
        producedEarly = src.state.produced;
        control.deleteRule(rule.id);
      }
    });
    // at 256 KiB/s, 16 MiB would take a minute: when the client had its first 64 KiB most was still unread
    expect(producedEarly).toBeLessThan(8 * MiB);
    expect(res.body.equals(body)).toBe(true);
  });

  it('destroys the source when the client goes away, and resolves', async () => {
    const control = testControl();
    control.addRule({ egressRate: 256 * KiB });
    const src = source(randomBytes(16 * MiB));
    server = await startExchangeServer(control, async (ex) => {
      ex.res.writeHead(200, { 'content-length': 16 * MiB });
      await sendBody(ex, src.stream);
    });
    await get(server.port, (received, req) => {
      if (received >= 32 * KiB) req.destroy();
    });
    expect((await server.outcome()).ok).toBe(true);
    expect(src.state.destroyed).toBe(true);
    expect(src.state.produced).toBeLessThan(16 * MiB);
  });

  it('a failing source cuts the response short instead of throwing', async () => {
    const control = testControl();
    const src = source(randomBytes(MiB), 256 * KiB);
    server = await startExchangeServer(control, async (ex) => {
      ex.res.writeHead(200, { 'content-length': MiB });
      await sendBody(ex, src.stream);
    });
    const res = await get(server.port);
    expect(res.complete).toBe(false);
    expect(res.body.length).toBeLessThan(MiB);
    expect((await server.outcome()).ok).toBe(true);
  });

  describe('a body the store holds in memory (HeldBytes)', () => {
    /** Serves `held` and records how the response was written and whether the source was closed. */
    async function serveHeld(control: ReturnType<typeof testControl>, chunks: Buffer[]) {
      const held = new HeldBytes(chunks);
      const seen = { writes: 0, closed: false };
      held.once('close', () => (seen.closed = true));
      server = await startExchangeServer(control, async (ex) => {
        ex.res.writeHead(200, { 'content-length': held.size });
        const write = ex.res.write.bind(ex.res);
        ex.res.write = ((...args: Parameters<typeof write>) => {
          seen.writes++;
          return write(...args);
        }) as typeof ex.res.write;
        await sendBody(ex, held);
      });
      return seen;
    }

    it('small and unpaced: sent in one step with the response end, the source closed', async () => {
      const body = randomBytes(4 * KiB);
      const seen = await serveHeld(testControl(), [body]);
      const res = await get(server!.port);
      expect(res.complete).toBe(true);
      expect(res.body.equals(body)).toBe(true);
      expect((await server!.outcome()).ok).toBe(true);
      expect(seen).toEqual({ writes: 0, closed: true });
    });

    it('in several chunks: the same bytes in order', async () => {
      const chunks = [randomBytes(100), randomBytes(5000), randomBytes(1)];
      const seen = await serveHeld(testControl(), chunks);
      const res = await get(server!.port);
      expect(res.body.equals(Buffer.concat(chunks))).toBe(true);
      expect(seen.closed).toBe(true);
    });

    it('with an egress rate: paced piece by piece like any stream', async () => {
      const control = testControl();
      control.addRule({ egressRate: 64 * MiB });
      const body = randomBytes(4 * KiB);
      const seen = await serveHeld(control, [body]);
      const res = await get(server!.port);
      expect(res.body.equals(body)).toBe(true);
      expect(seen.writes).toBeGreaterThan(0);
      expect(seen.closed).toBe(true);
    });

    it('over 1 MiB: streamed under backpressure', async () => {
      const body = randomBytes(2 * MiB);
      const seen = await serveHeld(testControl(), [body.subarray(0, MiB), body.subarray(MiB)]);
      const res = await get(server!.port);
      expect(res.body.equals(body)).toBe(true);
      expect(seen.writes).toBeGreaterThan(0);
      expect(seen.closed).toBe(true);
    });
  });
});
