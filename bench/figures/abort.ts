// Abort detection: a client streaming a PUT drops its connection, and the figure is the time from that to the mock's
// `body.aborted` event (the event's own timestamp, so polling the log adds nothing; 1 ms resolution). Both ways a
// connection dies are measured: RST (socket.resetAndDestroy(), what a killed process or SO_LINGER 0 sends) and FIN
// (socket.destroy(), an orderly close mid-body). Each also under an ingest throttle, where the mock reads the socket
// only as the rate allows.
//
// Then, throttled, against how many bytes were queued when the client closed: a FIN travels behind the bytes the
// client already handed to its kernel. When they fit in the server's receive buffer the FIN reaches the server's
// kernel at once and the mock sees it there (CLOSE_WAIT, exchange/tcp-state.ts); when more is queued it waits in the
// client's kernel until the server has read enough, so no server can notice it sooner. An RST overtakes everything.
import http from 'node:http';
import net, { type Socket } from 'node:net';
import { startMockOss, type MockOssHandle } from '../../mock-server/index.js';
import type { BenchContext } from '../context.js';
import type { Figure } from '../figure.js';
import { request } from '../http-client.js';
import { median } from '../stats.js';

const BUCKET = 'bench-abort';
const CHUNK = Buffer.alloc(64 * 1024, 0x64);
const DECLARED = 1024 ** 3;
const THROTTLE = 1024 * 1024;
const EVENT_TIMEOUT_MS = 15_000;
const KiB = 1024;
/**
 * Throttle rates and what the client writes before closing, beyond the first FIRST bytes: the bytes queued between
 * it and the mock. The slow rate is where a late FIN hurt most (2.9 s for 96 KiB at 16 KiB/s before the kernel was
 * asked); the fast one reaches queues larger than the mock's receive buffer.
 */
const QUEUED_RUNS: ReadonlyArray<{ rate: number; extra: number[] }> = [
  { rate: 16 * KiB, extra: [16 * KiB, 64 * KiB, 128 * KiB] },
  { rate: 1024 * KiB, extra: [256 * KiB, 1024 * KiB, 4096 * KiB] },
];
const FIRST = 8 * KiB;

type Close = 'RST' | 'FIN';
const CLOSES: Record<Close, (s: Socket) => void> = {
  RST: (s) => s.resetAndDestroy(),
  FIN: (s) => s.destroy(),
};

/** Writes until the socket goes away; the upload's declared length is never reached. */
function streamForever(url: string): { socket: Promise<Socket>; stop: () => void } {
  const req = http.request(url, { method: 'PUT', agent: false, headers: { 'content-length': DECLARED } });
  req.on('error', () => undefined);
  let stopped = false;
  const pump = (): void => {
    while (!stopped && req.write(CHUNK));
  };
  req.on('drain', pump);
  pump();
  return {
    socket: new Promise((resolve) => req.once('socket', resolve)),
    stop: () => {
      stopped = true;
    },
  };
}

async function abortedEventTime(mock: MockOssHandle, key: string, since: number): Promise<number | undefined> {
  const deadline = Date.now() + EVENT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const ev = mock.control.events(since).find((e) => e.type === 'body.aborted' && e.key === key);
    if (ev !== undefined) return Date.parse(ev.time);
    await new Promise((r) => setTimeout(r, 1));
  }
  return undefined;
}

async function oneRun(mock: MockOssHandle, close: Close, key: string): Promise<number | undefined> {
  const since = mock.control.health().lastEventSeq;
  const upload = streamForever(`${mock.endpoint}/${BUCKET}/${key}`);
  const socket = await upload.socket;
  await mock.control.wait({ match: { bucket: BUCKET, keyPrefix: key }, minBytes: 256 * 1024, timeoutMs: 10_000 });
  upload.stop();
  const t0 = Date.now();
  CLOSES[close](socket);
  const at = await abortedEventTime(mock, key, since);
  return at === undefined ? undefined : at - t0;
}

/** Writes `bytes` and resolves once the kernel accepted all of them (or the deadline passed: false). */
function writeAll(socket: Socket, bytes: Buffer, deadlineMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), deadlineMs);
    socket.write(bytes, () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

interface QueuedRun {
  ms: number | undefined;
  /** bytes the client's kernel accepted that the mock's throttle had not released when the client closed */
  queued: number;
}

/**
 * One throttled upload from a raw socket: FIRST bytes, then (once the mock has some of them) `extra` more, handed to
 * the client's kernel in full, then the close. The figure is the close -> body.aborted time.
 */
async function queuedRun(mock: MockOssHandle, close: Close, extra: number, key: string): Promise<QueuedRun> {
  const since = mock.control.health().lastEventSeq;
  const socket = net.connect({ host: '127.0.0.1', port: mock.port });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`PUT /${BUCKET}/${key} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${DECLARED}\r\n\r\n`);
  socket.write(Buffer.alloc(FIRST, 0x71));
  await mock.control.wait({ match: { bucket: BUCKET, key }, minBytes: FIRST / 2, timeoutMs: 10_000 });
  const accepted = await writeAll(socket, Buffer.alloc(extra, 0x72), 30_000);
  const released = mock.control.inflight().find((e) => e.key === key)?.bytesReceived ?? 0;
  const t0 = Date.now();
  CLOSES[close](socket);
  const queued = FIRST + (accepted ? extra : 0) - released;
  const at = await abortedEventTime(mock, key, since);
  return { ms: at === undefined ? undefined : at - t0, queued };
}

async function measureQueued(ctx: BenchContext, mock: MockOssHandle, next: () => string): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const { rate, extra: extras } of QUEUED_RUNS) {
    const rule = mock.control.addRule({ match: { bucket: BUCKET }, ingestRate: rate });
    try {
      figures.push(...(await measureQueuedAt(ctx, mock, next, rate, extras)));
    } finally {
      mock.control.deleteRule(rule.id);
    }
  }
  return figures;
}

async function measureQueuedAt(
  ctx: BenchContext,
  mock: MockOssHandle,
  next: () => string,
  rate: number,
  extras: number[],
): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const close of ['RST', 'FIN'] as const) {
    for (const extra of extras) {
      const samples: number[] = [];
      const queued: number[] = [];
      let missed = 0;
      for (let run = 0; run < ctx.settings.abortRuns; run++) {
        const r = await queuedRun(mock, close, extra, next());
        queued.push(r.queued);
        if (r.ms === undefined) missed++;
        else samples.push(r.ms);
      }
      const q = Math.round(median(queued) / KiB);
      // an RST always overtakes; a FIN only when what is queued fits in the mock's receive buffer
      const expectFast = close === 'RST' || extra <= 64 * KiB;
      const f: Figure = {
        id: `abort.${close.toLowerCase()}.throttled-${rate / KiB}k.queued-${extra / KiB}k`,
        label: `client ${close} -> body.aborted, throttled ${rate / KiB} KiB/s, ${q} KiB queued`,
        unit: 'ms',
        value: samples.length > 0 ? median(samples) : null,
        target: expectFast ? { kind: 'at-most', max: 50 } : { kind: 'none' },
        samples,
      };
      if (missed > 0) f.note = `${missed} runs saw no body.aborted within ${EVENT_TIMEOUT_MS} ms`;
      figures.push(f);
      ctx.log(`${f.label}: ${samples.map((s) => s.toFixed(0)).join(', ')} ms (queued ${queued.join(', ')} B)`);
    }
  }
  return figures;
}

export async function measureAbort(ctx: BenchContext): Promise<Figure[]> {
  const mock = await startMockOss({ auth: false });
  const figures: Figure[] = [];
  let n = 0;
  try {
    const made = await request(`${mock.endpoint}/${BUCKET}`, { method: 'PUT' });
    if (made.status !== 200) throw new Error(`creating ${BUCKET} answered ${made.status}`);
    for (const throttled of [false, true]) {
      for (const close of ['RST', 'FIN'] as const) {
        const ruleIds: string[] = [];
        if (throttled) ruleIds.push(mock.control.addRule({ match: { bucket: BUCKET }, ingestRate: THROTTLE }).id);
        const samples: number[] = [];
        let missed = 0;
        for (let run = 0; run < ctx.settings.abortRuns; run++) {
          const ms = await oneRun(mock, close, `abort-${n++}`);
          if (ms === undefined) missed++;
          else samples.push(ms);
        }
        ruleIds.forEach((id) => mock.control.deleteRule(id));
        const f: Figure = {
          id: `abort.${close.toLowerCase()}${throttled ? '.throttled' : ''}`,
          label: `client ${close} -> body.aborted${throttled ? ` (throttled ${THROTTLE / 1024 ** 2} MiB/s)` : ''}`,
          unit: 'ms',
          value: samples.length > 0 ? median(samples) : null,
          target: { kind: 'at-most', max: 50 },
          samples,
        };
        if (missed > 0)
          f.note = `${missed} of ${ctx.settings.abortRuns} runs saw no body.aborted within ${EVENT_TIMEOUT_MS} ms`;
        figures.push(f);
        ctx.log(
          `${f.label}: ${samples.map((s) => s.toFixed(0)).join(', ')} ms${missed > 0 ? `, ${missed} missed` : ''}`,
        );
      }
    }
    figures.push(...(await measureQueued(ctx, mock, () => `abort-${n++}`)));
  } finally {
    await mock.close();
  }
  return figures;
}
