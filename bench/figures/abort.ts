// Abort detection (issue 7): a client streaming a PUT drops its connection, and the figure is the time from that
// to the mock's `body.aborted` event (the event's own timestamp, so polling the log adds nothing; 1 ms resolution).
// Both ways a connection dies are measured: RST (socket.resetAndDestroy(), what a killed process or SO_LINGER 0
// sends) and FIN (socket.destroy(), an orderly close mid-body). Each also under an ingest throttle, where the mock
// reads the socket only as the rate allows (DESIGN.md "Throttling is backpressure").
import http from 'node:http';
import type { Socket } from 'node:net';
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
  } finally {
    await mock.close();
  }
  return figures;
}
