// A small body that arrives with its headers is taken in one step (no pacing reader), counted in /_mock/health's
// `bodies`; a rule that throttles or faults the body, x-oss-traffic-limit, a default ingest rate or a pending wait sends
// it through the pacing reader, and either way the answer, the stored bytes and the events are the same. Real
// listening server, raw sockets (headers and body in one write, several requests on one keep-alive connection) and
// the project's OssClient.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OssClient } from '../client/client.js';
import type { HealthInfo } from './control/types.js';
import { startMockOss, type MockOssHandle } from './index.js';

const KiB = 1024;

let oss: MockOssHandle;
beforeAll(async () => {
  oss = await startMockOss({ auth: false });
  expect((await fetch(`${oss.endpoint}/small-bodies`, { method: 'PUT' })).status).toBe(200);
});
afterAll(() => oss.close());
afterEach(async () => {
  oss.control.clearRules();
  oss.control.setRates({ ingestRate: null });
});

async function bodies(): Promise<HealthInfo['bodies']> {
  return ((await (await fetch(`${oss.endpoint}/_mock/health`)).json()) as HealthInfo).bodies;
}

/** One keep-alive connection; each PUT goes out as a single write (headers and body), answers are read in order. */
class Connection {
  private readonly socket: net.Socket;
  private buffered = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private closed = false;

  constructor() {
    this.socket = net.connect({ host: '127.0.0.1', port: oss.port });
    this.socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      this.wake?.();
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  async put(
    path: string,
    body: Buffer,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; head: string }> {
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
    const head = `PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n${extra.join('')}\r\n`;
    this.socket.write(Buffer.concat([Buffer.from(head), body]));
    for (;;) {
      const text = this.buffered.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end >= 0) {
        const answer = text.slice(0, end);
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(answer)?.[1] ?? 0);
        if (this.buffered.length >= end + 4 + length) {
          this.buffered = this.buffered.subarray(end + 4 + length);
          return { status: Number(answer.split(' ')[1]), head: answer };
        }
      }
      if (this.closed) throw new Error('connection closed without an answer');
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

function eventTypes(since: number, key: string): string[] {
  return oss.control
    .events(since)
    .filter((e) => e.key === key)
    .map((e) => e.type);
}

async function stored(key: string): Promise<Buffer> {
  const res = await fetch(`${oss.endpoint}/small-bodies/${key}`);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe('a small body that came with its headers', () => {
  it('is taken in one step, stored byte-exact, and the connection carries the next requests', async () => {
    const before = await bodies();
    const since = oss.control.health().lastEventSeq;
    const c = new Connection();
    try {
      for (let i = 0; i < 5; i++) {
        const body = Buffer.alloc(4 * KiB, i);
        const { status, head } = await c.put(`/small-bodies/whole-${i}`, body);
        expect(status).toBe(200);
        expect(head.toLowerCase()).toContain(`etag: "${createHash('md5').update(body).digest('hex')}"`);
        expect(await stored(`whole-${i}`)).toEqual(body);
      }
    } finally {
      c.close();
    }
    expect(await bodies()).toEqual({ whole: before.whole + 5, streamed: before.streamed });
    expect(eventTypes(since, 'whole-0')).toEqual([
      'request.start',
      'object.committed',
      'request.end',
      'request.start',
      'request.end',
    ]);
  });

  it('is checked against Content-MD5 the same way: InvalidDigest, nothing stored', async () => {
    const before = await bodies();
    const c = new Connection();
    try {
      const wrong = createHash('md5').update('other').digest('base64');
      const { status, head } = await c.put('/small-bodies/bad-digest', Buffer.alloc(4 * KiB, 1), {
        'Content-MD5': wrong,
      });
      expect(status).toBe(400);
      expect(head.toLowerCase()).toContain('x-oss-ec: 0017-00000503');
      // the connection is still good: the body was read whole
      expect((await c.put('/small-bodies/after-bad-digest', Buffer.from('ok'))).status).toBe(200);
    } finally {
      c.close();
    }
    expect((await fetch(`${oss.endpoint}/small-bodies/bad-digest`)).status).toBe(404);
    expect(await bodies()).toEqual({ whole: before.whole + 2, streamed: before.streamed });
  });

  it('through the OssClient is stored and answered as ever', async () => {
    const client = new OssClient({
      endpoint: oss.endpoint,
      accessKeyId: oss.accessKeyId,
      accessKeySecret: oss.accessKeySecret,
    });
    const body = Buffer.alloc(4 * KiB, 7);
    const put = await client.putObject({ bucket: 'small-bodies', key: 'client', body });
    expect(put.etag).toBe(createHash('md5').update(body).digest('hex').toUpperCase());
    expect(await stored('client')).toEqual(body);
  });
});

describe('the pacing reader still reads a small body when something can observe its delivery', () => {
  const cases: { name: string; setup: () => void | (() => Promise<void>); headers?: Record<string, string> }[] = [
    {
      name: 'a rule with an ingest rate',
      setup: () => void oss.control.addRule({ match: { bucket: 'small-bodies' }, ingestRate: 64 * 1024 * KiB }),
    },
    {
      name: 'x-oss-traffic-limit',
      setup: () => undefined,
      headers: { 'x-oss-traffic-limit': String(100 * 1024 * 8 * KiB) },
    },
    { name: 'a default ingest rate', setup: () => void oss.control.setRates({ ingestRate: 64 * 1024 * KiB }) },
    {
      name: 'a pending wait',
      setup: () => {
        const ac = new AbortController();
        const pending = fetch(`${oss.endpoint}/_mock/wait`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ match: { bucket: 'nobody' }, minBytes: 1, timeoutMs: 30_000 }),
          signal: ac.signal,
        }).catch(() => undefined);
        return async () => {
          ac.abort();
          await pending;
        };
      },
    },
  ];
  for (const [i, c] of cases.entries()) {
    it(`with ${c.name}`, async () => {
      const cleanup = c.setup();
      if (c.name === 'a pending wait') {
        for (let n = 0; n < 200 && !oss.control.waiting; n++) await new Promise((r) => setTimeout(r, 5));
        expect(oss.control.waiting).toBe(true);
      }
      const before = await bodies();
      const since = oss.control.health().lastEventSeq;
      const conn = new Connection();
      const body = Buffer.alloc(4 * KiB, 0x30 + i);
      try {
        const { status } = await conn.put(`/small-bodies/paced-${i}`, body, c.headers);
        expect(status).toBe(200);
      } finally {
        conn.close();
        if (typeof cleanup === 'function') await cleanup();
      }
      expect(await bodies()).toEqual({ whole: before.whole, streamed: before.streamed + 1 });
      expect(await stored(`paced-${i}`)).toEqual(body);
      expect(eventTypes(since, `paced-${i}`)).toContain('object.committed');
    });
  }

  it('with a fault planned inside this body: the fault fires at its offset, nothing is committed', async () => {
    oss.control.addRule({
      match: { bucket: 'small-bodies', key: 'faulted' },
      fault: { type: 'reset', afterBytes: 100 },
    });
    const before = await bodies();
    const since = oss.control.health().lastEventSeq;
    const c = new Connection();
    await expect(c.put('/small-bodies/faulted', Buffer.alloc(4 * KiB, 2))).rejects.toThrow(/without an answer/);
    c.close();
    for (let n = 0; n < 200 && !eventTypes(since, 'faulted').includes('request.end'); n++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const fired = oss.control.events(since).find((e) => e.type === 'fault.fired' && e.key === 'faulted');
    expect(fired).toMatchObject({ fault: 'reset', atBytes: 100 });
    expect(eventTypes(since, 'faulted')).not.toContain('object.committed');
    expect(await bodies()).toEqual({ whole: before.whole, streamed: before.streamed + 1 });
  });
});
