// GET /_mock/ui/stream over a real listening server, with a real upload throttled by a rule.
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { InflightEntry } from '../control/types.js';
import {
  openStream,
  startConsoleServer,
  type ConsoleServer,
  type StreamClient,
} from './test-support/console-server.js';
import type { ConsoleMessage } from './wire.js';

const servers: ConsoleServer[] = [];
const streams: StreamClient[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(tickMs = 50): Promise<ConsoleServer> {
  const s = await startConsoleServer({ hub: { tickMs } });
  servers.push(s);
  return s;
}

async function stream(s: ConsoleServer): Promise<StreamClient> {
  const c = await openStream(`${s.endpoint}/_mock/ui/stream`);
  streams.push(c);
  return c;
}

/** A PUT whose body the test writes itself; `socket.resetAndDestroy()` cuts it (an RST is noticed at once, a FIN only
 * once the throttled server has read what the kernel buffered). */
function startUpload(endpoint: string, path: string, length: number): http.ClientRequest {
  const req = http.request(`${endpoint}${path}`, { method: 'PUT', headers: { 'content-length': String(length) } });
  req.on('error', () => {});
  req.write(Buffer.alloc(length));
  return req;
}

const inflightOf = (m: ConsoleMessage): InflightEntry[] =>
  m.type === 'inflight' || m.type === 'snapshot' ? m.inflight : [];

describe('GET /_mock/ui/stream', () => {
  it('streams a throttled upload: its bytes, the rule that throttles it, then its end as aborted by the client', async () => {
    const s = await serve();
    await fetch(`${s.endpoint}/bkt`, { method: 'PUT' });
    s.control.addRule({ id: 'slow', match: { keyPrefix: 'slow/' }, ingestRate: '64KiB/s' });
    const c = await stream(s);
    expect(c.status).toBe(200);
    expect(c.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(c.headers.get('cache-control')).toBe('no-store');
    expect((await c.next((m) => m.type === 'snapshot')).type).toBe('snapshot');
    expect(s.hub.consoles).toBe(1);

    const length = 1024 * 1024;
    const upload = startUpload(s.endpoint, '/bkt/slow/one.bin', length);
    const first = inflightOf(await c.next((m) => inflightOf(m).some((e) => e.bytesReceived > 0)))[0]!;
    expect(first).toMatchObject({
      operation: 'PutObject',
      bucket: 'bkt',
      key: 'slow/one.bin',
      contentLength: length,
      ingestLimit: { rate: 65536, by: 'rule', ruleId: 'slow' },
    });
    const later = inflightOf(await c.next((m) => inflightOf(m).some((e) => e.bytesReceived > first.bytesReceived)))[0]!;
    expect(later.bytesReceived).toBeGreaterThan(first.bytesReceived);
    expect(later.bytesReceived).toBeLessThan(length);

    await s.control.wait({ match: { key: 'slow/one.bin' }, minBytes: later.bytesReceived, timeoutMs: 10_000 });
    upload.socket!.resetAndDestroy();
    const finished = await c.next((m) => m.type === 'finished');
    expect(finished.type === 'finished' && finished.uploads).toEqual([
      expect.objectContaining({
        key: 'slow/one.bin',
        contentLength: length,
        status: 0,
        outcome: { kind: 'aborted', bytesReceived: expect.any(Number) },
      }),
    ]);
    expect(await c.next((m) => m.type === 'inflight' && m.inflight.length === 0)).toBeDefined();
    // and the event log's body.aborted reached it too
    expect(c.messages.some((m) => m.type === 'events' && m.events.some((e) => e.type === 'body.aborted'))).toBe(true);
  });

  it('sends an upload at most once per tick, however fast its bytes arrive', async () => {
    const tickMs = 200;
    const s = await serve(tickMs);
    await fetch(`${s.endpoint}/bkt`, { method: 'PUT' });
    const c = await stream(s);
    await c.next((m) => m.type === 'snapshot');
    const started = Date.now();
    // unthrottled: the body arrives in many reads, each a byte-count update in the registry
    const res = await fetch(`${s.endpoint}/bkt/fast.bin`, { method: 'PUT', body: Buffer.alloc(32 * 1024 * 1024) });
    expect(res.status).toBe(200);
    await c.next((m) => m.type === 'finished');
    const elapsed = Date.now() - started;
    const updates = c.messages.filter((m) => m.type === 'inflight').length;
    // one per tick at most (plus the one of the tick in progress when the clock was read)
    expect(updates).toBeLessThanOrEqual(Math.ceil(elapsed / tickMs) + 1);
  });

  it('stops sampling once the last console has gone', async () => {
    const s = await serve();
    const a = await stream(s);
    const b = await stream(s);
    await Promise.all([a.next((m) => m.type === 'snapshot'), b.next((m) => m.type === 'snapshot')]);
    expect([s.hub.running, s.hub.consoles]).toEqual([true, 2]);
    a.close();
    b.close();
    await expect.poll(() => s.hub.running, { timeout: 10_000 }).toBe(false);
    expect(s.hub.consoles).toBe(0);
  });
});
