// Throttle accuracy (docs/architecture.md#the-body-pipeline): the CLI's default ingest rate is set over the control
// API, then 1 or 16 uploads each send rate x window bytes. An upload's achieved rate is its size over the time to its
// answer, as the client sees it. The target is |measured / configured - 1| <= 5% for every upload, so the figure is the
// upload farthest from the configured rate; the note gives the range.
import type { BenchContext } from '../context.js';
import type { Figure } from '../figure.js';
import { putBytes, request } from '../http-client.js';
import { median, MiB } from '../stats.js';
import { startTarget } from '../targets.js';

function rateText(bytesPerSecond: number): string {
  return bytesPerSecond >= MiB ? `${bytesPerSecond / MiB} MiB/s` : `${bytesPerSecond / 1024} KiB/s`;
}

async function setIngestRate(endpoint: string, rate: number | null): Promise<void> {
  const body = JSON.stringify({ ingestRate: rate });
  const r = await request(`${endpoint}/_mock/rates`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  if (r.status !== 200) throw new Error(`POST /_mock/rates answered ${r.status}: ${r.body.toString()}`);
}

export async function measureThrottle(ctx: BenchContext): Promise<Figure[]> {
  const { throttleRates, throttleConcurrency, throttleWindowMs } = ctx.settings;
  const mock = await startTarget('mock-memory', ctx.scratch);
  const figures: Figure[] = [];
  try {
    for (const concurrency of throttleConcurrency) {
      for (const rate of throttleRates) {
        await setIngestRate(mock.endpoint, rate);
        const size = Math.round((rate * throttleWindowMs) / 1000);
        const uploads = await Promise.all(
          Array.from({ length: concurrency }, (_, i) => putBytes(mock.objectUrl(`throttle-${i}`), size)),
        );
        const bad = uploads.find((u) => u.status !== 200);
        // what all uploads together achieved: where it is far below rate x concurrency, the mock's ingest (not its
        // throttle) is the limit on this machine
        const aggregate = (size * concurrency) / (Math.max(...uploads.map((u) => u.ms)) / 1000);
        const rates = uploads.map((u) => size / (u.ms / 1000));
        const farthest = rates.reduce((a, b) => (Math.abs(b / rate - 1) > Math.abs(a / rate - 1) ? b : a));
        const worst = Math.abs(farthest / rate - 1);
        const f: Figure = {
          id: `throttle.${rate}.x${concurrency}`,
          label: `throttle ${rateText(rate)} x${concurrency} (${throttleWindowMs / 1000} s)`,
          unit: 'MiB/s',
          value: bad === undefined ? farthest / MiB : null,
          baseline: { name: 'configured', value: rate / MiB },
          target: { kind: 'ratio-within', tolerance: 0.05 },
          samples: rates.map((r) => r / MiB),
          note:
            bad === undefined
              ? `uploads ${(Math.min(...rates) / MiB).toFixed(3)}..${(Math.max(...rates) / MiB).toFixed(3)} MiB/s, median ${(median(rates) / MiB).toFixed(3)}, worst |error| ${(worst * 100).toFixed(1)}%, aggregate ${(aggregate / MiB).toFixed(1)} MiB/s`
              : `an upload answered ${bad.status}: ${bad.body.toString().slice(0, 200)}`,
        };
        figures.push(f);
        ctx.log(`${f.label}: ${f.note}`);
      }
    }
    await setIngestRate(mock.endpoint, null);
  } finally {
    await mock.stop();
  }
  return figures;
}
