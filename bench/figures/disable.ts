// Disable latency: 64 uploads through one OssClient are held in flight by a slow ingest rule until the server has seen
// a byte of each (control wait), then disableRequests(); the figure is the time to the last rejection. The mock is the
// CLI in a child process, as for a real user, so this process's event loop holds only the client's work.
import { OssClient, isOssClientError } from '../../client/index.js';
import type { InflightEntry } from '../../mock-server/index.js';
import type { BenchContext } from '../context.js';
import type { Figure } from '../figure.js';
import { request } from '../http-client.js';
import { median } from '../stats.js';
import { BENCH_BUCKET, startTarget, type Target } from '../targets.js';

/** slow enough that no upload can finish before it is cut */
const HOLD_RATE = 16 * 1024;
const BODY = Buffer.alloc(1024 * 1024, 0x63);
/** what ClientError:200042 (CURLE_ABORTED_BY_CALLBACK) an in-flight request fails with on disable */
const ABORTED = 'ClientError:200042';
const DRAIN_POLLS = 500;

async function control<T>(mock: Target, method: string, path: string, body?: unknown): Promise<T> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string | number> =
    text === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
  const r = await request(`${mock.endpoint}/_mock/${path}`, { method, headers, body: text });
  if (r.status !== 200 && r.status !== 201) {
    throw new Error(`${method} /_mock/${path} answered ${r.status}: ${r.body.toString()}`);
  }
  return JSON.parse(r.body.toString()) as T;
}

async function oneRun(mock: Target, uploads: number): Promise<{ ms: number; unexpected: string[] }> {
  const client = new OssClient({ endpoint: mock.endpoint, accessKeyId: 'bench', accessKeySecret: 'bench' });
  const rejectedAt: number[] = [];
  const unexpected: string[] = [];
  const settled = Array.from({ length: uploads }, (_, i) =>
    client.putObject({ bucket: BENCH_BUCKET, key: `held-${i}`, body: BODY }).then(
      () => unexpected.push(`held-${i} completed`),
      (err: unknown) => {
        rejectedAt.push(performance.now());
        const code = isOssClientError(err) ? err.code : String(err);
        if (code !== ABORTED) unexpected.push(code);
      },
    ),
  );
  try {
    await control(mock, 'POST', 'wait', {
      match: { bucket: BENCH_BUCKET },
      count: uploads,
      minBytes: 1,
      timeoutMs: 30_000,
    });
    const t0 = performance.now();
    client.disableRequests();
    await Promise.all(settled);
    return { ms: Math.max(...rejectedAt) - t0, unexpected };
  } finally {
    client.close();
    // the server must let go of the cut uploads before the next run waits for its own
    for (let i = 0; i < DRAIN_POLLS; i++) {
      const { inflight } = await control<{ inflight: InflightEntry[] }>(mock, 'GET', 'inflight');
      if (inflight.length === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

export async function measureDisable(ctx: BenchContext): Promise<Figure[]> {
  const { disableUploads, disableRuns } = ctx.settings;
  const mock = await startTarget('mock-memory', ctx.scratch);
  const samples: number[] = [];
  const unexpected = new Set<string>();
  try {
    await control(mock, 'POST', 'rules', { match: { bucket: BENCH_BUCKET }, ingestRate: HOLD_RATE });
    for (let run = 0; run < disableRuns; run++) {
      const r = await oneRun(mock, disableUploads);
      samples.push(r.ms);
      r.unexpected.forEach((u) => unexpected.add(u));
      ctx.log(`disableRequests() with ${disableUploads} in flight: last rejection after ${r.ms.toFixed(2)} ms`);
    }
  } finally {
    await mock.stop();
  }
  const f: Figure = {
    id: 'disable.latency',
    label: `disableRequests() -> last of ${disableUploads} uploads rejected`,
    unit: 'ms',
    value: median(samples),
    target: { kind: 'at-most', max: 20 },
    samples,
  };
  if (unexpected.size > 0) f.note = `unexpected outcomes: ${[...unexpected].join(', ')}`;
  return [f];
}
